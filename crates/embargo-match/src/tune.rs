//! TEMPORARY tuning knobs read from EMBARGO_TUNE (dev only).
use std::sync::OnceLock;
pub fn get(i: usize, default: f32) -> f32 {
    static V: OnceLock<Vec<Option<f32>>> = OnceLock::new();
    let v = V.get_or_init(|| {
        std::env::var("EMBARGO_TUNE")
            .unwrap_or_default()
            .split(',')
            .map(|x| x.trim().parse().ok())
            .collect()
    });
    v.get(i).copied().flatten().unwrap_or(default)
}
