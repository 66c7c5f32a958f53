//! Robustness: damaged copies of real files never take the batch down.

use std::fs;

use crate::support::*;

/// Every damaged copy gets exactly one ledger row and the report is still written: bytes
/// flipped all through real files, and every file cut at many lengths.
#[test]
fn damaged_copies_of_real_files_each_get_a_row() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let originals = [
        "fgebhart__workoutizer/tests__data__example.fit",
        "dtcooper__python-fitparse/tests__files__activity-small-fenix2-run.fit",
        "jimmykane__fit-parser/test__running-with-developer-data.fit",
        "dtcooper__python-fitparse/tests__files__compressed-speed-distance.fit",
    ];
    let mut noise = Noise(42);
    let mut written = 0;
    for (k, name) in originals.iter().enumerate() {
        let bytes = fs::read(testdata().join(name)).unwrap();
        for j in 0..40 {
            let mut b = bytes.clone();
            // Flip 1–4 bytes anywhere, header included.
            for _ in 0..=(j % 4) {
                let at = (((noise.next() + 1.0) / 2.0) * b.len() as f64) as usize % b.len();
                b[at] ^= 1 << (j % 8);
            }
            write(&input, &format!("flip/{k}_{j}.fit"), &b);
            let cut = (((noise.next() + 1.0) / 2.0) * bytes.len() as f64) as usize;
            write(&input, &format!("cut/{k}_{j}.fit"), &bytes[..cut]);
            written += 2;
        }
    }
    let r = report(&[&input], &tmp.path().join("out"));
    assert_eq!(r.files.height(), written);
    let reasons = strs(&r.files, "reason");
    let panics: Vec<_> = (0..r.files.height())
        .filter(|&i| reasons[i].as_deref() == Some("panic"))
        .map(|i| (cell(&r.files, "source", i), cell(&r.files, "detail", i)))
        .collect();
    assert!(panics.is_empty(), "{panics:?}");
}
