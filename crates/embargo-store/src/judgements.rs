//! Analysts' judgements on consolidation links: two records are the same
//! party (`same`, joins them even where no rule does) or are not
//! (`different`, keeps them apart whatever the rules say). Append-only; the
//! latest judgement on a pair stands. The pair is stored in a fixed order,
//! so (a, b) and (b, a) are one pair.

use crate::db::args;
use crate::error::StoreError;
use crate::Store;
use chrono::{DateTime, Utc};
use embargo_model::EntityId;
use serde::Serialize;

/// What an analyst decided about two records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkVerdict {
    /// One party: link them.
    Same,
    /// Two parties: never link them.
    Different,
}

impl LinkVerdict {
    pub fn as_str(&self) -> &'static str {
        match self {
            LinkVerdict::Same => "same",
            LinkVerdict::Different => "different",
        }
    }
    pub fn parse(s: &str) -> Option<LinkVerdict> {
        match s {
            "same" => Some(LinkVerdict::Same),
            "different" => Some(LinkVerdict::Different),
            _ => None,
        }
    }
}

/// One standing judgement.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LinkJudgement {
    pub a: EntityId,
    pub b: EntityId,
    pub verdict: LinkVerdict,
    pub reviewer: String,
    pub reason: String,
    pub decided_at: DateTime<Utc>,
}

fn ordered(a: &EntityId, b: &EntityId) -> (String, String) {
    if a.as_str() <= b.as_str() {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

impl Store {
    /// Records a judgement on the pair (a, b).
    pub fn judge_link(
        &self,
        a: &EntityId,
        b: &EntityId,
        verdict: LinkVerdict,
        reviewer: &str,
        reason: &str,
    ) -> Result<LinkJudgement, StoreError> {
        self.judge_link_inner(a, b, verdict, reviewer, reason, None)
    }

    /// [`Store::judge_link`] that writes `intent(judgement)` to the audit
    /// journal in the same transaction.
    pub fn judge_link_journaled(
        &self,
        a: &EntityId,
        b: &EntityId,
        verdict: LinkVerdict,
        reviewer: &str,
        reason: &str,
        intent: crate::IntentFn<'_, LinkJudgement>,
    ) -> Result<LinkJudgement, StoreError> {
        self.judge_link_inner(a, b, verdict, reviewer, reason, Some(intent))
    }

    fn judge_link_inner(
        &self,
        a: &EntityId,
        b: &EntityId,
        verdict: LinkVerdict,
        reviewer: &str,
        reason: &str,
        intent: Option<crate::IntentFn<'_, LinkJudgement>>,
    ) -> Result<LinkJudgement, StoreError> {
        let (x, y) = ordered(a, b);
        let now = Utc::now();
        let ctx = || "recording a link judgement".to_string();
        self.write(crate::store::Durability::Normal, ctx, |tx| {
            tx.run(
                "INSERT INTO link_judgements (a, b, verdict, reviewer, reason, decided_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                args![
                    &x,
                    &y,
                    verdict.as_str(),
                    reviewer,
                    reason,
                    &now.to_rfc3339()
                ],
                ctx,
            )?;
            let j = LinkJudgement {
                a: EntityId(x),
                b: EntityId(y),
                verdict,
                reviewer: reviewer.to_string(),
                reason: reason.to_string(),
                decided_at: now,
            };
            if let Some(f) = intent {
                crate::intents::write_intent(tx, &f(&j))?;
            }
            crate::failpoint("store_before_commit");
            Ok(j)
        })
    }

    /// The standing (latest) judgement on every judged pair.
    pub fn link_judgements(&self) -> Result<Vec<LinkJudgement>, StoreError> {
        let ctx = || "reading link judgements".to_string();
        let rows = self.read(ctx, |tx| {
            tx.rows(
                "SELECT a, b, verdict, reviewer, reason, decided_at FROM link_judgements j
                 WHERE id = (SELECT max(id) FROM link_judgements k WHERE k.a = j.a AND k.b = j.b)
                 ORDER BY id",
                &[],
                ctx,
                |r| {
                    Ok((
                        r.text(0)?,
                        r.text(1)?,
                        r.text(2)?,
                        r.text(3)?,
                        r.text(4)?,
                        r.text(5)?,
                    ))
                },
            )
        })?;
        let mut out = Vec::new();
        for (a, b, verdict, reviewer, reason, at) in rows {
            let Some(verdict) = LinkVerdict::parse(&verdict) else {
                return Err(StoreError::Corrupt {
                    what: "link_judgements".into(),
                    detail: format!("unknown verdict {verdict:?}"),
                });
            };
            let decided_at = DateTime::parse_from_rfc3339(&at)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| StoreError::Corrupt {
                    what: "link_judgements".into(),
                    detail: format!("bad time {at:?}: {e}"),
                })?;
            out.push(LinkJudgement {
                a: EntityId(a),
                b: EntityId(b),
                verdict,
                reviewer,
                reason,
                decided_at,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_judgement_on_a_pair_stands_whatever_the_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let (a, b) = (EntityId("x:1".into()), EntityId("y:2".into()));
        store
            .judge_link(&a, &b, LinkVerdict::Same, "ana", "same USCC")
            .unwrap();
        store
            .judge_link(&b, &a, LinkVerdict::Different, "ben", "different addresses")
            .unwrap();
        let j = store.link_judgements().unwrap();
        assert_eq!(j.len(), 1);
        assert_eq!(j[0].verdict, LinkVerdict::Different);
        assert_eq!(j[0].reviewer, "ben");
        assert_eq!((j[0].a.as_str(), j[0].b.as_str()), ("x:1", "y:2"));
    }
}
