//! When an entry was on its list: publication dates of list versions,
//! listing intervals with fuzzy ends, and "was X listed on day D?".
//!
//! A list version is a photograph of the list as its source published it
//! on one day. Two consecutive photographs bound every change between them:
//! an entry absent from the version published `t0` and present in the one
//! published `t1` was listed somewhere in `(t0, t1]`. Where the source
//! states the day itself (CSL `start_date`, UN `LISTED_ON`, a DPL expiry),
//! that date wins and the bound is exact. Bounds stay bounds: a question
//! about a day inside one is answered [`ListingStatus::Uncertain`] with the
//! reason, never guessed, and so is a question about a day before the
//! oldest version on record.
//!
//! The types here are pure (no storage); `embargo-store` builds a
//! [`ListingHistory`] from its versions, and the rules engine asks it.

use crate::{EntityId, PartialDate};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;

/// Where a version's publication date comes from, most trusted first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PublishedBasis {
    /// The file states it (OFAC XML `Publish_Date`, UN `dateGenerated`,
    /// the newest FtM `last_seen`).
    File,
    /// The `Last-Modified` header the download returned.
    HttpLastModified,
    /// Given by the operator at import (`--published DATE`).
    Operator,
    /// Nothing said: the day the version was imported.
    ImportDate,
}

impl PublishedBasis {
    pub const ALL: [PublishedBasis; 4] = [
        PublishedBasis::File,
        PublishedBasis::HttpLastModified,
        PublishedBasis::Operator,
        PublishedBasis::ImportDate,
    ];

    /// The stored and printed name: `file`, `http_last_modified`,
    /// `operator`, `import_date`.
    pub fn as_str(&self) -> &'static str {
        match self {
            PublishedBasis::File => "file",
            PublishedBasis::HttpLastModified => "http_last_modified",
            PublishedBasis::Operator => "operator",
            PublishedBasis::ImportDate => "import_date",
        }
    }

    pub fn parse(s: &str) -> Option<PublishedBasis> {
        PublishedBasis::ALL.into_iter().find(|b| b.as_str() == s)
    }
}

impl fmt::Display for PublishedBasis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// When a change (a listing or a removal) took effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DateBound {
    /// The source states the day.
    Exact { on: NaiveDate },
    /// Somewhere in `(after, on_or_before]`: after the last version
    /// without the change, on or before the first version with it (or a
    /// source date of month or year precision).
    Between {
        after: NaiveDate,
        on_or_before: NaiveDate,
    },
    /// Already so in the oldest version on record, published
    /// `on_or_before`; nothing is known about earlier days.
    BeforeRecords { on_or_before: NaiveDate },
}

impl DateBound {
    /// Has the change certainly happened by `day` (`Some(true)`), certainly
    /// not yet (`Some(false)`), or is `day` inside the bound (`None`)?
    pub fn happened_by(&self, day: NaiveDate) -> Option<bool> {
        match *self {
            DateBound::Exact { on } => Some(day >= on),
            DateBound::Between {
                after,
                on_or_before,
            } => {
                if day >= on_or_before {
                    Some(true)
                } else if day <= after {
                    Some(false)
                } else {
                    None
                }
            }
            DateBound::BeforeRecords { on_or_before } => (day >= on_or_before).then_some(true),
        }
    }

    /// The last day on which the change can have happened.
    pub fn latest(&self) -> NaiveDate {
        match *self {
            DateBound::Exact { on } => on,
            DateBound::Between { on_or_before, .. } | DateBound::BeforeRecords { on_or_before } => {
                on_or_before
            }
        }
    }

    /// Can the change have happened on some day of `d`?
    fn admits(&self, d: &PartialDate) -> bool {
        match *self {
            DateBound::Exact { on } => d.first_day() <= on && on <= d.last_day(),
            DateBound::Between {
                after,
                on_or_before,
            } => d.last_day() > after && d.first_day() <= on_or_before,
            DateBound::BeforeRecords { on_or_before } => d.first_day() <= on_or_before,
        }
    }

    /// This bound narrowed by a source date `d` that it [`admits`](Self::admits).
    fn narrowed(&self, d: &PartialDate) -> DateBound {
        if let PartialDate::Day(on) = d {
            return DateBound::Exact { on: *on };
        }
        let before_first = d.first_day().pred_opt().unwrap_or(d.first_day());
        match *self {
            DateBound::Exact { .. } => *self,
            DateBound::Between {
                after,
                on_or_before,
            } => DateBound::Between {
                after: after.max(before_first),
                on_or_before: on_or_before.min(d.last_day()),
            },
            DateBound::BeforeRecords { on_or_before } => DateBound::Between {
                after: before_first,
                on_or_before: on_or_before.min(d.last_day()),
            },
        }
    }
}

impl fmt::Display for DateBound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateBound::Exact { on } => write!(f, "on {on}"),
            DateBound::Between {
                after,
                on_or_before,
            } => write!(f, "after {after} and on or before {on_or_before}"),
            DateBound::BeforeRecords { on_or_before } => {
                write!(
                    f,
                    "on or before {on_or_before} (no earlier version on record)"
                )
            }
        }
    }
}

/// One stretch of time an entry was on its list. `removed: None` means
/// it is still on the newest version on record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ListingInterval {
    pub listed: DateBound,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed: Option<DateBound>,
}

impl ListingInterval {
    /// `Some(true)`: certainly listed on `day`; `Some(false)`: certainly
    /// not (by this interval); `None`: `day` falls inside a bound.
    pub fn covers(&self, day: NaiveDate) -> Option<bool> {
        let started = self.listed.happened_by(day);
        let ended = match &self.removed {
            Some(r) => r.happened_by(day),
            None => Some(false),
        };
        match (started, ended) {
            (Some(false), _) | (_, Some(true)) => Some(false),
            (Some(true), Some(false)) => Some(true),
            _ => None,
        }
    }
}

/// A version as the history sees it: its label and publication date.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VersionPoint {
    pub version: String,
    pub published: NaiveDate,
    pub basis: PublishedBasis,
}

/// The answer to "was entity X on its list on day D?".
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ListingStatus {
    Listed,
    NotListed,
    /// The versions on record cannot tell; `reason` says why in plain
    /// English (names the dataset and the dates).
    Uncertain {
        reason: String,
    },
}

/// Dates the source itself states for an entry (from its newest record).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SourceDates {
    /// `Entity::listed_on`: CSL `start_date`, UN `LISTED_ON`, FtM first seen.
    pub listed_on: Option<PartialDate>,
    /// `Entity::delisted_on`, else a stated end (CSL `end_date`, DPL expiry).
    pub removed_on: Option<PartialDate>,
}

/// Intervals of one entry from its presence in each version (`present[i]`
/// for `versions[i]`, which must be in publication order), narrowed by the
/// dates the source states where they agree with the version history.
pub fn intervals_from_presence(
    versions: &[VersionPoint],
    present: &[bool],
    own: SourceDates,
) -> Vec<ListingInterval> {
    let mut out: Vec<ListingInterval> = Vec::new();
    let mut open: Option<DateBound> = None;
    for (i, v) in versions.iter().enumerate() {
        let here = present.get(i).copied().unwrap_or(false);
        match (here, open) {
            (true, None) => {
                open = Some(if i == 0 {
                    DateBound::BeforeRecords {
                        on_or_before: v.published,
                    }
                } else {
                    DateBound::Between {
                        after: versions[i - 1].published,
                        on_or_before: v.published,
                    }
                });
            }
            (false, Some(listed)) => {
                out.push(ListingInterval {
                    listed,
                    removed: Some(DateBound::Between {
                        after: versions[i - 1].published,
                        on_or_before: v.published,
                    }),
                });
                open = None;
            }
            _ => {}
        }
    }
    if let Some(listed) = open {
        out.push(ListingInterval {
            listed,
            removed: None,
        });
    }
    if let Some(d) = own.listed_on {
        if let Some(iv) = out.iter_mut().rev().find(|iv| iv.listed.admits(&d)) {
            iv.listed = iv.listed.narrowed(&d);
        }
    }
    if let Some(d) = own.removed_on {
        // The latest interval whose removal the date can be: one still
        // open (a stated end date, past or future) or one whose removal
        // bound contains it; never before the listing.
        if let Some(iv) = out.iter_mut().rev().find(|iv| match &iv.removed {
            None => iv.listed.happened_by(d.last_day()) != Some(false),
            Some(r) => r.admits(&d),
        }) {
            iv.removed = Some(match &iv.removed {
                None => match d {
                    PartialDate::Day(on) => DateBound::Exact { on },
                    _ => DateBound::Between {
                        after: d.first_day().pred_opt().unwrap_or(d.first_day()),
                        on_or_before: d.last_day(),
                    },
                },
                Some(r) => r.narrowed(&d),
            });
        }
    }
    out
}

/// Was an entry with `intervals` on `dataset` on `day`, given the versions
/// on record (`versions` in publication order)?
pub fn listing_status(
    dataset: &str,
    versions: &[VersionPoint],
    intervals: &[ListingInterval],
    day: NaiveDate,
) -> ListingStatus {
    let Some(oldest) = versions.first() else {
        return ListingStatus::Uncertain {
            reason: format!("no {dataset} version on record"),
        };
    };
    let mut reasons = Vec::new();
    for iv in intervals {
        match iv.covers(day) {
            Some(true) => return ListingStatus::Listed,
            Some(false) => {}
            None => reasons.push(uncertain_reason(dataset, iv, day)),
        }
    }
    if !reasons.is_empty() {
        return ListingStatus::Uncertain {
            reason: reasons.join("; "),
        };
    }
    // Nothing says listed. Before the oldest version that is only known
    // when the source dates the first listing itself.
    let first_listing_stated = intervals
        .first()
        .is_some_and(|iv| matches!(iv.listed, DateBound::Exact { on } if day < on));
    if day < oldest.published && !first_listing_stated {
        return ListingStatus::Uncertain {
            reason: format!(
                "no {dataset} version on record before {} ({}, published {} [{}])",
                oldest.published, oldest.version, oldest.published, oldest.basis
            ),
        };
    }
    ListingStatus::NotListed
}

fn uncertain_reason(dataset: &str, iv: &ListingInterval, day: NaiveDate) -> String {
    let listed_unknown = iv.listed.happened_by(day).is_none();
    let bound = if listed_unknown {
        &iv.listed
    } else {
        iv.removed.as_ref().unwrap_or(&iv.listed)
    };
    match (listed_unknown, bound) {
        (true, DateBound::BeforeRecords { on_or_before }) => format!(
            "on {dataset} in its oldest version on record ({on_or_before}); no {dataset} version on record before {on_or_before}, so {day} cannot be told"
        ),
        (true, DateBound::Between { after, on_or_before }) => format!(
            "added to {dataset} between {after} and {on_or_before} (absent from the version published {after}, present in the one published {on_or_before}); {day} falls in between"
        ),
        (false, DateBound::Between { after, on_or_before }) => format!(
            "removed from {dataset} between {after} and {on_or_before} (present in the version published {after}, absent from the one published {on_or_before}); {day} falls in between"
        ),
        (_, b) => format!("{dataset}: listing {b}; {day} cannot be told"),
    }
}

/// Every entry's intervals on one dataset, with the versions they come from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingHistory {
    pub dataset: String,
    /// Every stored version, in publication order (ties: import order).
    pub versions: Vec<VersionPoint>,
    /// Entries ever present in a version, with their intervals.
    pub entities: HashMap<EntityId, Vec<ListingInterval>>,
}

impl ListingHistory {
    /// Was `id` on this dataset on `day`? An id never seen has no intervals:
    /// not listed, where versions on record cover `day`.
    pub fn status(&self, id: &EntityId, day: NaiveDate) -> ListingStatus {
        let ivs = self.entities.get(id).map(Vec::as_slice).unwrap_or(&[]);
        listing_status(&self.dataset, &self.versions, ivs, day)
    }

    /// The intervals of `id` (empty when it was never on the dataset).
    pub fn intervals(&self, id: &EntityId) -> &[ListingInterval] {
        self.entities.get(id).map(Vec::as_slice).unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn vp(s: &str) -> VersionPoint {
        VersionPoint {
            version: format!("{s}-x"),
            published: d(s),
            basis: PublishedBasis::Operator,
        }
    }

    fn versions() -> Vec<VersionPoint> {
        ["2019-01-01", "2021-07-31", "2024-05-02", "2024-05-03"]
            .map(vp)
            .to_vec()
    }

    #[test]
    fn absent_then_present_is_a_fuzzy_listing() {
        let v = versions();
        let ivs = intervals_from_presence(&v, &[false, true, true, true], SourceDates::default());
        assert_eq!(
            ivs,
            vec![ListingInterval {
                listed: DateBound::Between {
                    after: d("2019-01-01"),
                    on_or_before: d("2021-07-31")
                },
                removed: None
            }]
        );
        assert_eq!(
            listing_status("sdn", &v, &ivs, d("2019-01-01")),
            ListingStatus::NotListed
        );
        let ListingStatus::Uncertain { reason } = listing_status("sdn", &v, &ivs, d("2019-06-01"))
        else {
            panic!()
        };
        assert!(
            reason.contains("between 2019-01-01 and 2021-07-31"),
            "{reason}"
        );
        assert_eq!(
            listing_status("sdn", &v, &ivs, d("2022-01-01")),
            ListingStatus::Listed
        );
        let ListingStatus::Uncertain { reason } = listing_status("sdn", &v, &ivs, d("2018-06-01"))
        else {
            panic!()
        };
        assert!(
            reason.starts_with("no sdn version on record before 2019-01-01"),
            "{reason}"
        );
    }

    #[test]
    fn a_stated_day_makes_the_bound_exact() {
        let v = versions();
        let own = SourceDates {
            listed_on: Some("2020-07-09".parse().unwrap()),
            removed_on: None,
        };
        let ivs = intervals_from_presence(&v, &[false, true, true, true], own);
        assert_eq!(
            ivs[0].listed,
            DateBound::Exact {
                on: d("2020-07-09")
            }
        );
        assert_eq!(
            listing_status("sdn", &v, &ivs, d("2019-06-01")),
            ListingStatus::NotListed
        );
        assert_eq!(
            listing_status("sdn", &v, &ivs, d("2020-07-09")),
            ListingStatus::Listed
        );
        // A stated year narrows without inventing a day.
        let own = SourceDates {
            listed_on: Some("2020".parse().unwrap()),
            removed_on: None,
        };
        let ivs = intervals_from_presence(&v, &[false, true, true, true], own);
        assert_eq!(
            ivs[0].listed,
            DateBound::Between {
                after: d("2019-12-31"),
                on_or_before: d("2020-12-31")
            }
        );
        // A stated date the history contradicts is not applied.
        let own = SourceDates {
            listed_on: Some("2023-01-01".parse().unwrap()),
            removed_on: None,
        };
        let ivs = intervals_from_presence(&v, &[false, true, true, true], own);
        assert!(matches!(ivs[0].listed, DateBound::Between { .. }));
    }

    #[test]
    fn removal_between_versions_is_never_a_clear() {
        let v = versions();
        let ivs = intervals_from_presence(&v, &[true, true, true, false], SourceDates::default());
        assert_eq!(
            ivs[0].removed,
            Some(DateBound::Between {
                after: d("2024-05-02"),
                on_or_before: d("2024-05-03")
            })
        );
        assert_eq!(
            listing_status("sdn", &v, &ivs, d("2024-04-01")),
            ListingStatus::Listed
        );
        assert_eq!(
            listing_status("sdn", &v, &ivs, d("2024-05-03")),
            ListingStatus::NotListed
        );
        // Before the oldest version: present there, earlier unknown.
        assert!(matches!(
            listing_status("sdn", &v, &ivs, d("2018-01-01")),
            ListingStatus::Uncertain { .. }
        ));
    }

    #[test]
    fn gaps_make_two_intervals_and_unknown_ids_are_not_listed() {
        let v = versions();
        let ivs = intervals_from_presence(&v, &[true, false, true, true], SourceDates::default());
        assert_eq!(ivs.len(), 2);
        assert_eq!(
            listing_status("sdn", &v, &ivs, d("2021-07-31")),
            ListingStatus::NotListed
        );
        assert!(matches!(
            listing_status("sdn", &v, &ivs, d("2022-01-01")),
            ListingStatus::Uncertain { .. }
        ));
        assert_eq!(
            listing_status("sdn", &v, &[], d("2020-01-01")),
            ListingStatus::NotListed
        );
        assert!(matches!(
            listing_status("sdn", &[], &[], d("2020-01-01")),
            ListingStatus::Uncertain { .. }
        ));
    }

    #[test]
    fn a_stated_end_date_closes_the_interval() {
        let v = versions();
        let own = SourceDates {
            listed_on: None,
            removed_on: Some("2056-06-29".parse().unwrap()),
        };
        let ivs = intervals_from_presence(&v, &[true, true, true, true], own);
        assert_eq!(
            ivs[0].removed,
            Some(DateBound::Exact {
                on: d("2056-06-29")
            })
        );
        assert_eq!(
            listing_status("dpl", &v, &ivs, d("2030-01-01")),
            ListingStatus::Listed
        );
        assert_eq!(
            listing_status("dpl", &v, &ivs, d("2056-06-29")),
            ListingStatus::NotListed
        );
    }

    #[test]
    fn basis_names_round_trip() {
        for b in PublishedBasis::ALL {
            assert_eq!(PublishedBasis::parse(b.as_str()), Some(b));
            assert_eq!(
                serde_json::to_string(&b).unwrap(),
                format!("\"{}\"", b.as_str())
            );
        }
    }
}
