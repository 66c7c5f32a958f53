//! A synthetic training history: years of running written as FIT files, generated from a seed
//! so that the same call always gives the same bytes, and nothing is stored in the repository.
//!
//! One runner, living in Central Europe (CET/CEST in the `activity` message), runs about five
//! times a week: an easy run most days, a workout (tempo, road or track intervals) midweek, a
//! long run on Sundays that grows over each half-year build, and a recovery run after it. Some
//! weeks have none (Christmas, holidays) and one injury break of seven weeks (in histories of
//! two years or more) is followed by a short comeback. A few weeks a year are spent abroad
//! (New York, Tokyo: other offsets) or in the Alps (hilly trail runs).
//!
//! Three watches follow each other over the span (Forerunner 235, 945, 965: three serials, and
//! now and then the previous watch as a spare). The first records in smart mode (a sample every
//! 1–8 s) with GPS altitude; the second switches from smart to 1 s and has a barometer and, on
//! half the runs, a chest strap's running dynamics; the third records every second with
//! running dynamics, power, temperature and asks for RPE. A 1 h run at 1 s is about 150 KB.
//!
//! Every run is a loop around its start (or laps of a 400 m track): flat-ish most of the time,
//! rolling or hilly on some runs, each climb followed by its descent. Speed follows the plan of
//! the run and the grade; cadence (≈160–185 spm) rises with speed, drops downhill and carries
//! noise; heart rate follows effort with a lag; some runs stop for a while at a crossing.
//!
//! Nothing here depends on polars or assert_cmd, so a bench includes this file and
//! `fitwriter.rs` with `#[path]` (this file reaches the writer as `super::fitwriter`).
#![allow(dead_code)]

use std::f64::consts::TAU;
use std::path::Path;

use super::fitwriter::{self, sub_sport, Activity};

/// SplitMix64: a small, seeded, well-mixed stream.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    /// A stream from `seed` and a tag (so that related streams differ).
    pub fn new(seed: u64, tag: u64) -> Rng {
        let mut r = Rng(seed ^ tag.wrapping_mul(0xA076_1D64_78BD_642F));
        r.u64();
        r
    }
    /// The next 64 random bits.
    pub fn u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn f(&mut self) -> f64 {
        (self.u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in [a, b).
    pub fn range(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.f()
    }
    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.f() < p
    }
    /// Standard normal (Box–Muller).
    pub fn gauss(&mut self) -> f64 {
        let u = 1.0 - self.f();
        (-2.0 * u.ln()).sqrt() * (TAU * self.f()).cos()
    }
}

// ---------------------------------------------------------------------------
// Calendar (proleptic Gregorian, days since 1970-01-01)
// ---------------------------------------------------------------------------

/// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month, day) of a day number.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// 0 = Sunday … 6 = Saturday.
fn weekday(z: i64) -> i64 {
    (z + 4).rem_euclid(7)
}

/// The day number of the `n`-th (1-based) Sunday of a month, or its last Sunday for `n = 0`.
fn sunday(y: i64, m: i64, n: i64) -> i64 {
    if n == 0 {
        let last = days_from_civil(y + m / 12, m % 12 + 1, 1) - 1;
        last - weekday(last)
    } else {
        let first = days_from_civil(y, m, 1);
        first + (7 - weekday(first)) % 7 + 7 * (n - 1)
    }
}

/// Monday 2016-01-04, the first day of every history.
pub fn first_day() -> i64 {
    days_from_civil(2016, 1, 4)
}

/// Where a run starts, and the clock its watch keeps there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// Zürich: CET, CEST from the last Sunday of March to the last of October (01:00 UTC).
    Home,
    /// The Bernese Oberland: same clock, steep trails.
    Alps,
    /// New York: EST, EDT from the second Sunday of March to the first of November.
    NewYork,
    /// Tokyo: JST all year.
    Tokyo,
}

impl Place {
    /// (latitude, longitude, altitude m) of the centre of the runs there.
    pub fn origin(self) -> (f64, f64, f64) {
        match self {
            Place::Home => (47.37, 8.54, 410.0),
            Place::Alps => (46.62, 7.91, 1050.0),
            Place::NewYork => (40.78, -73.97, 30.0),
            Place::Tokyo => (35.68, 139.69, 40.0),
        }
    }

    /// The offset from UTC (s) at a UTC instant.
    pub fn utc_offset_s(self, utc: i64) -> i32 {
        let (y, _, _) = civil_from_days(utc.div_euclid(86_400));
        match self {
            Place::Home | Place::Alps => {
                let on = sunday(y, 3, 0) * 86_400 + 3_600;
                let off = sunday(y, 10, 0) * 86_400 + 3_600;
                if (on..off).contains(&utc) {
                    7_200
                } else {
                    3_600
                }
            }
            Place::NewYork => {
                let on = sunday(y, 3, 2) * 86_400 + 7 * 3_600;
                let off = sunday(y, 11, 1) * 86_400 + 6 * 3_600;
                if (on..off).contains(&utc) {
                    -14_400
                } else {
                    -18_000
                }
            }
            Place::Tokyo => 32_400,
        }
    }
}

/// What kind of session a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Conversational pace.
    Easy,
    /// Short and slow, the day after the long run.
    Recovery,
    /// The week's long run.
    Long,
    /// A sustained block at threshold pace.
    Tempo,
    /// 800 m repeats with jogs between them.
    Intervals,
}

/// The ground a run covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Terrain {
    /// A few metres up and down.
    Flat,
    /// Short hills of 10–20 m.
    Rolling,
    /// Long climbs and descents (grades to 8–10 %, steeper in the Alps).
    Hilly,
    /// Laps of a 400 m track.
    Track,
}

/// A watch: its serial, Garmin product number and sensors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Watch {
    /// Forerunner 235: GPS altitude, smart recording.
    Fr235,
    /// Forerunner 945: barometer, temperature; dynamics with a chest strap.
    Fr945,
    /// Forerunner 965: wrist running dynamics and power.
    Fr965,
}

impl Watch {
    /// file_id serial number.
    pub fn serial(self) -> u32 {
        match self {
            Watch::Fr235 => 3_912_345_678,
            Watch::Fr945 => 3_387_654_321,
            Watch::Fr965 => 3_456_789_012,
        }
    }
    /// Garmin product number (as fitparser's profile names it).
    pub fn product(self) -> u16 {
        match self {
            Watch::Fr235 => 2431,
            Watch::Fr945 => 3113,
            Watch::Fr965 => 4315,
        }
    }
}

/// One planned run: everything its samples are generated from.
#[derive(Clone, Debug)]
pub struct Run {
    /// Start, UTC unix seconds.
    pub start_utc: i64,
    /// The watch's offset from UTC at the start (written in the `activity` message).
    pub utc_offset_s: i32,
    /// Session kind.
    pub kind: Kind,
    /// Planned distance, m.
    pub distance_m: f64,
    /// Ground.
    pub terrain: Terrain,
    /// Where.
    pub place: Place,
    /// Which watch.
    pub watch: Watch,
    /// Every second (true) or smart recording.
    pub one_second: bool,
    /// Running dynamics (vertical oscillation, stance time, step length).
    pub dynamics: bool,
    /// Easy pace this week, m/s (fitness changes over the years).
    pub easy_mps: f64,
    /// The runner's cadence at easy pace on the flat this season, spm.
    pub base_spm: f64,
    /// Seed of the samples.
    pub seed: u64,
}

impl Run {
    /// The file's path inside the history: `YYYY/YYYY-MM-DD-HH-MM-SS.fit` in local time, as a
    /// watch names its files.
    pub fn file_name(&self) -> String {
        let local = self.start_utc + i64::from(self.utc_offset_s);
        let (y, m, d) = civil_from_days(local.div_euclid(86_400));
        let s = local.rem_euclid(86_400);
        format!(
            "{y}/{y}-{m:02}-{d:02}-{:02}-{:02}-{:02}.fit",
            s / 3600,
            s / 60 % 60,
            s % 60
        )
    }

    /// The local day number of the start.
    pub fn local_day(&self) -> i64 {
        (self.start_utc + i64::from(self.utc_offset_s)).div_euclid(86_400)
    }

    /// The complete FIT file.
    pub fn encode(&self) -> Vec<u8> {
        let samples = super::history_samples::samples(self);
        let mut a = Activity::running(self.start_utc, samples);
        a.serial_number = self.watch.serial();
        a.product = self.watch.product();
        a.utc_offset_s = Some(self.utc_offset_s);
        let session = &mut a.sessions[0];
        session.sub_sport = match (self.terrain, self.place) {
            (Terrain::Track, _) => sub_sport::TRACK,
            (Terrain::Hilly, Place::Alps) => sub_sport::TRAIL,
            _ => sub_sport::GENERIC,
        };
        if self.watch == Watch::Fr965 {
            let mut rng = Rng::new(self.seed, 7);
            if rng.chance(0.7) {
                let rpe = match self.kind {
                    Kind::Recovery => 2.0,
                    Kind::Easy => 3.0,
                    Kind::Long => 5.0,
                    Kind::Tempo | Kind::Intervals => 7.0,
                } + rng.range(0.0, 2.0).floor();
                session.workout_rpe_x10 = Some((rpe * 10.0) as u8);
                session.workout_feel = Some(25 * rng.range(1.0, 5.0).floor() as u8);
            }
        }
        fitwriter::encode_activity(&a)
    }
}

/// The runs of a history of `years` years from [`first_day`], in start order.
pub fn plan(years: u32, seed: u64) -> Vec<Run> {
    let weeks = (f64::from(years) * 365.25 / 7.0).round() as i64;
    let mut rng = Rng::new(seed, 1);
    let injury = (years >= 2).then_some((weeks as f64 * 0.45) as i64);
    let mut runs = Vec::new();
    for w in 0..weeks {
        let monday = first_day() + 7 * w;
        let (_, month, _) = civil_from_days(monday + 3);
        let christmas = (0..7).any(|d| {
            let (_, m, day) = civil_from_days(monday + d);
            m == 12 && day == 25
        });
        let since_injury = injury.map(|i| w - i);
        let in_break = since_injury.is_some_and(|s| (0..7).contains(&s));
        let comeback = since_injury.is_some_and(|s| (7..11).contains(&s));
        if christmas || in_break || rng.chance(0.025) {
            continue;
        }
        let place = match rng.f() {
            p if p < 0.02 => Place::NewYork,
            p if p < 0.035 => Place::Tokyo,
            p if (6..=9).contains(&month) && p < 0.15 => Place::Alps,
            _ => Place::Home,
        };
        let n = if comeback {
            2 + rng.chance(0.5) as usize
        } else if place != Place::Home {
            3 + rng.chance(0.5) as usize
        } else {
            match rng.f() {
                p if p < 0.2 => 4,
                p if p < 0.5 => 5,
                p if p < 0.9 => 6,
                _ => 7,
            }
        };
        // Days 0 (Monday) … 6 (Sunday): Sunday always, the others drawn.
        let mut days = vec![6];
        let mut rest: Vec<i64> = (0..6).collect();
        while days.len() < n {
            let i = (rng.u64() % rest.len() as u64) as usize;
            days.push(rest.swap_remove(i));
        }
        days.sort_unstable();
        let progress = w as f64 / weeks as f64;
        // Fitness: better over the years, a little better each summer, worse after the injury.
        let fitness = 1.0 + 0.05 * progress + 0.02 * (TAU * (w as f64 / 52.18 - 0.3)).sin()
            - since_injury.map_or(0.0, |s| {
                if (0..20).contains(&s) {
                    0.06 * (1.0 - (s - 7).max(0) as f64 / 13.0)
                } else {
                    0.0
                }
            });
        let build = (w % 26) as f64 / 25.0;
        let workout_day = days.iter().copied().find(|d| (1..=3).contains(d));
        for &day in &days {
            let normal = !comeback && place == Place::Home;
            let kind = if comeback {
                Kind::Easy
            } else if day == 6 && n >= 4 {
                Kind::Long
            } else if day == 0 && w > 0 {
                Kind::Recovery
            } else if normal && n >= 4 && Some(day) == workout_day {
                if rng.chance(0.5) {
                    Kind::Tempo
                } else {
                    Kind::Intervals
                }
            } else {
                Kind::Easy
            };
            let km = match kind {
                _ if comeback => rng.range(5.2, 7.0),
                Kind::Long => (16.0 + 8.0 * build + rng.gauss()).clamp(15.0, 25.0),
                Kind::Recovery => rng.range(5.2, 7.0),
                Kind::Tempo | Kind::Intervals => rng.range(8.0, 13.0),
                Kind::Easy => (8.5 + 1.8 * rng.gauss()).clamp(5.3, 13.0),
            };
            let terrain = match (kind, place) {
                (Kind::Intervals, Place::Home) if rng.chance(0.5) => Terrain::Track,
                (Kind::Tempo | Kind::Intervals, _) => Terrain::Flat,
                (_, Place::Alps) if rng.chance(0.7) => Terrain::Hilly,
                (_, Place::Alps) => Terrain::Rolling,
                (_, Place::NewYork | Place::Tokyo) => Terrain::Flat,
                (Kind::Long, _) => match rng.f() {
                    p if p < 0.45 => Terrain::Flat,
                    p if p < 0.85 => Terrain::Rolling,
                    _ => Terrain::Hilly,
                },
                _ => match rng.f() {
                    p if p < 0.7 => Terrain::Flat,
                    p if p < 0.92 => Terrain::Rolling,
                    _ => Terrain::Hilly,
                },
            };
            let weekend = day >= 5;
            let local_h = if kind == Kind::Long {
                rng.range(7.5, 9.5)
            } else if weekend {
                rng.range(7.5, 10.5)
            } else if rng.chance(0.6) {
                rng.range(6.0, 7.5)
            } else {
                rng.range(17.5, 19.5)
            };
            let local = (monday + day) * 86_400 + (local_h * 3600.0) as i64;
            // The offset at the local time read as UTC; runs never start near a switch.
            let utc_offset_s = place.utc_offset_s(local - 3_600);
            let (watch, one_second) = match progress {
                p if p < 0.3 => (Watch::Fr235, false),
                p if p < 0.65 => (
                    if rng.chance(0.03) {
                        Watch::Fr235
                    } else {
                        Watch::Fr945
                    },
                    p >= 0.45,
                ),
                _ if rng.chance(0.03) => (Watch::Fr945, true),
                _ => (Watch::Fr965, true),
            };
            let dynamics = match watch {
                Watch::Fr235 => false,
                Watch::Fr945 => rng.chance(0.5),
                Watch::Fr965 => true,
            };
            runs.push(Run {
                start_utc: local - i64::from(utc_offset_s),
                utc_offset_s,
                kind,
                distance_m: km * 1000.0,
                terrain,
                place,
                watch,
                one_second: one_second || (watch == Watch::Fr945 && rng.chance(0.1)),
                dynamics,
                easy_mps: 2.85 * fitness,
                base_spm: 167.0 + 4.0 * progress + 1.5 * rng.gauss(),
                seed: rng.u64(),
            });
        }
    }
    runs
}

/// The `k`-th run (1-based) after a history ends: an easy flat 8 km at home, `k` days after
/// its last run, at 07:00 local, on the last run's watch.
pub fn next_run(history: &[Run], k: u32) -> Run {
    let last = history.last().expect("a history with runs");
    let local = (last.local_day() + i64::from(k)) * 86_400 + 7 * 3600;
    let utc_offset_s = Place::Home.utc_offset_s(local - 3_600);
    Run {
        start_utc: local - i64::from(utc_offset_s),
        utc_offset_s,
        kind: Kind::Easy,
        distance_m: 8000.0,
        terrain: Terrain::Flat,
        place: Place::Home,
        seed: last.seed ^ u64::from(k).wrapping_mul(0x9E37_79B9_7F4A_7C15),
        ..last.clone()
    }
}

/// What [`write`] wrote.
#[derive(Clone, Copy, Debug, Default)]
pub struct Written {
    /// Files.
    pub files: usize,
    /// Their total size, bytes.
    pub bytes: u64,
}

/// Writes each run to `dir/<Run::file_name>` on `threads` threads.
pub fn write(dir: &Path, runs: &[Run], threads: usize) -> std::io::Result<Written> {
    let threads = threads.max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|i| {
                scope.spawn(move || -> std::io::Result<Written> {
                    let mut done = Written::default();
                    for run in runs.iter().skip(i).step_by(threads) {
                        let path = dir.join(run.file_name());
                        std::fs::create_dir_all(path.parent().expect("a year folder"))?;
                        let bytes = run.encode();
                        std::fs::write(&path, &bytes)?;
                        done.files += 1;
                        done.bytes += bytes.len() as u64;
                    }
                    Ok(done)
                })
            })
            .collect();
        workers.into_iter().try_fold(Written::default(), |sum, w| {
            let w = w.join().expect("a writer thread panicked")?;
            Ok(Written {
                files: sum.files + w.files,
                bytes: sum.bytes + w.bytes,
            })
        })
    })
}
