//! Live values: what a [`Simulation`] gives at a time, and the clock it is read on.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use s7comm::{DataType, Tag, Value};

use crate::profile::Simulation;

/// The time simulated tags are computed from: the time since the server started (the
/// default), or a manual clock a test moves by hand.
///
/// Clones share the clock.
///
/// ```
/// use std::time::Duration;
/// use s7_mock::profile::Simulation;
/// use s7_mock::s7comm::{Tag, Value};
/// use s7_mock::tags::TagClock;
/// use s7_mock::Server;
///
/// let clock = TagClock::manual();
/// let server = Server::builder()
///     .data_block(1, 16)
///     .simulated_tag(
///         "level",
///         Tag::parse("DB1.DBD0:REAL")?,
///         Simulation::Ramp { min: 0.0, max: 100.0, period_ms: 1000 },
///     )
///     .tag_clock(clock.clone())
///     .start()?;
/// assert_eq!(server.read_tag("level")?, Value::Real(0.0));
/// clock.advance(Duration::from_millis(250));
/// assert_eq!(server.read_tag("level")?, Value::Real(25.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct TagClock {
    inner: Arc<Kind>,
}

#[derive(Debug)]
enum Kind {
    Real(Mutex<Instant>),
    Manual(Mutex<Duration>),
}

impl Default for TagClock {
    fn default() -> Self {
        Self::real()
    }
}

impl TagClock {
    /// Real time, counted from now (a server restarts it when it starts and on reset).
    pub fn real() -> Self {
        Self {
            inner: Arc::new(Kind::Real(Mutex::new(Instant::now()))),
        }
    }

    /// A clock at zero that moves only with [`advance`](Self::advance) and
    /// [`set`](Self::set).
    pub fn manual() -> Self {
        Self {
            inner: Arc::new(Kind::Manual(Mutex::new(Duration::ZERO))),
        }
    }

    /// Moves a manual clock on by `by`; a real clock ignores it.
    pub fn advance(&self, by: Duration) {
        if let Kind::Manual(now) = &*self.inner {
            let mut now = now.lock().unwrap_or_else(PoisonError::into_inner);
            *now = now.saturating_add(by);
        }
    }

    /// Sets a manual clock to `to`; a real clock ignores it.
    pub fn set(&self, to: Duration) {
        if let Kind::Manual(now) = &*self.inner {
            *now.lock().unwrap_or_else(PoisonError::into_inner) = to;
        }
    }

    /// The time simulations are computed at.
    pub fn elapsed(&self) -> Duration {
        match &*self.inner {
            Kind::Real(origin) => origin
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .elapsed(),
            Kind::Manual(now) => *now.lock().unwrap_or_else(PoisonError::into_inner),
        }
    }

    /// Counts a real clock from now again; a manual clock is left alone.
    pub(crate) fn restart(&self) {
        if let Kind::Real(origin) = &*self.inner {
            *origin.lock().unwrap_or_else(PoisonError::into_inner) = Instant::now();
        }
    }

    pub(crate) fn millis(&self) -> u64 {
        u64::try_from(self.elapsed().as_millis()).unwrap_or(u64::MAX)
    }
}

/// The values a simulated type holds, as a closed range; `None` for types a simulation
/// cannot drive (strings, dates, times, timers, counters).
pub(crate) fn numeric_range(ty: DataType) -> Option<(f64, f64)> {
    Some(match ty {
        DataType::Bool => (0.0, 1.0),
        DataType::Byte | DataType::USInt => (0.0, f64::from(u8::MAX)),
        DataType::SInt => (f64::from(i8::MIN), f64::from(i8::MAX)),
        DataType::Word | DataType::UInt => (0.0, f64::from(u16::MAX)),
        DataType::Int => (f64::from(i16::MIN), f64::from(i16::MAX)),
        DataType::DWord | DataType::UDInt => (0.0, f64::from(u32::MAX)),
        DataType::DInt => (f64::from(i32::MIN), f64::from(i32::MAX)),
        // The largest doubles below 2^64 and 2^63, so that rounding stays in range.
        DataType::LWord | DataType::ULInt => (0.0, 18_446_744_073_709_549_568.0),
        DataType::LInt => (-9_223_372_036_854_775_808.0, 9_223_372_036_854_774_784.0),
        DataType::Real => (f64::from(f32::MIN), f64::from(f32::MAX)),
        DataType::LReal => (f64::MIN, f64::MAX),
        _ => return None,
    })
}

/// Whether values of `ty` are whole numbers.
fn integral(ty: DataType) -> bool {
    !matches!(ty, DataType::Real | DataType::LReal)
}

/// Why `simulation` cannot drive `tag`, if it cannot: the tag must be one element of a
/// numeric type or `BOOL`, and every value the simulation names must fit the type.
pub(crate) fn check_simulation(tag: &Tag, simulation: &Simulation) -> Result<(), String> {
    let ty = tag.data_type();
    let Some((lo, hi)) = numeric_range(ty) else {
        return Err(format!(
            "cannot simulate a {ty} tag; simulations drive numbers and BOOL"
        ));
    };
    if tag.count() > 1 {
        return Err(format!(
            "cannot simulate an array ({} elements); give one element",
            tag.count()
        ));
    }
    let named: Vec<(&str, f64)> = match simulation {
        Simulation::Counter { start, .. } => vec![("start", *start)],
        Simulation::Ramp { min, max, .. }
        | Simulation::Sine { min, max, .. }
        | Simulation::Random { min, max, .. } => vec![("min", *min), ("max", *max)],
        Simulation::Square { low, high, .. } => vec![("low", *low), ("high", *high)],
    };
    for (name, x) in named {
        let x = if integral(ty) { x.round() } else { x };
        if !(lo..=hi).contains(&x) {
            return Err(format!(
                "{name} {x} is outside the range of {ty} ({lo}..={hi})"
            ));
        }
    }
    Ok(())
}

/// SplitMix64: a well-mixed 64-bit value of `x`.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform number in `0.0..1.0` for draw `k` of generator `seed`.
pub(crate) fn unit(seed: u64, k: u64) -> f64 {
    // 53 random bits: exact in an f64.
    #[allow(clippy::cast_precision_loss)]
    let bits = (mix(mix(seed) ^ k) >> 11) as f64;
    bits / 9_007_199_254_740_992.0
}

/// Milliseconds as a float (exact below 2^53 ms, some 285,000 years).
#[allow(clippy::cast_precision_loss)]
fn float(ms: u64) -> f64 {
    ms as f64
}

/// `start + step * k`, starting again from `start` when it would leave `lo..=hi`.
fn counter(start: f64, step: f64, k: u64, (lo, hi): (f64, f64)) -> f64 {
    let value = start + step * float(k);
    if (lo..=hi).contains(&value) || step == 0.0 {
        return value;
    }
    let room = if step > 0.0 { hi - start } else { start - lo };
    let steps = (room / step.abs()).floor() + 1.0;
    start + (step * float(k)) % (steps * step)
}

/// The value of `simulation` at `t_ms` as a number of `ty`'s range.
pub(crate) fn sample(simulation: &Simulation, seed: u64, t_ms: u64, ty: DataType) -> f64 {
    let range = numeric_range(ty).unwrap_or((f64::MIN, f64::MAX));
    match *simulation {
        Simulation::Counter {
            start,
            step,
            every_ms,
        } => counter(start, step, t_ms / every_ms.max(1), range),
        Simulation::Ramp {
            min,
            max,
            period_ms,
        } => {
            let period = period_ms.max(1);
            min + (max - min) * float(t_ms % period) / float(period)
        }
        Simulation::Sine {
            min,
            max,
            period_ms,
        } => {
            let period = period_ms.max(1);
            let phase = float(t_ms % period) / float(period);
            min + (max - min) * (1.0 + (std::f64::consts::TAU * phase).sin()) / 2.0
        }
        Simulation::Square {
            low,
            high,
            period_ms,
        } => {
            let period = period_ms.max(1);
            if (t_ms % period).saturating_mul(2) < period {
                low
            } else {
                high
            }
        }
        Simulation::Random {
            min, max, every_ms, ..
        } => {
            let u = unit(seed, t_ms / every_ms.max(1));
            if integral(ty) {
                (min.ceil() + (u * (max.floor() - min.ceil() + 1.0)).floor()).min(max.floor())
            } else {
                min + (max - min) * u
            }
        }
    }
}

/// The value of type `ty` nearest to `x` (whole numbers are rounded, a `BOOL` is `x != 0`
/// after rounding); `None` if `x` is outside the type.
pub(crate) fn value_of(ty: DataType, x: f64) -> Option<Value> {
    match ty {
        DataType::Bool => Some(Value::Bool(x.round() != 0.0)),
        DataType::Real | DataType::LReal => Value::from_f64(ty, x).ok(),
        _ => Value::from_f64(ty, x.round()).ok(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::float_cmp)]

    use super::{check_simulation, sample, unit, value_of};
    use crate::profile::Simulation;
    use s7comm::{DataType, Tag, Value};

    #[test]
    fn each_kind_follows_its_curve() {
        let real = DataType::Real;
        let ramp = Simulation::Ramp {
            min: 10.0,
            max: 20.0,
            period_ms: 1000,
        };
        assert_eq!(sample(&ramp, 0, 0, real), 10.0);
        assert_eq!(sample(&ramp, 0, 500, real), 15.0);
        assert_eq!(sample(&ramp, 0, 1500, real), 15.0);
        let sine = Simulation::Sine {
            min: 0.0,
            max: 100.0,
            period_ms: 1000,
        };
        assert_eq!(sample(&sine, 0, 0, real), 50.0);
        assert!((sample(&sine, 0, 250, real) - 100.0).abs() < 1e-9);
        assert!((sample(&sine, 0, 750, real)).abs() < 1e-9);
        let square = Simulation::Square {
            low: 0.0,
            high: 1.0,
            period_ms: 100,
        };
        assert_eq!(sample(&square, 0, 49, DataType::Bool), 0.0);
        assert_eq!(sample(&square, 0, 50, DataType::Bool), 1.0);
        assert_eq!(sample(&square, 0, 100, DataType::Bool), 0.0);
        let counter = Simulation::Counter {
            start: 250.0,
            step: 2.0,
            every_ms: 10,
        };
        assert_eq!(sample(&counter, 0, 25, DataType::Byte), 254.0);
        // Past 255 a BYTE counter starts again from its start.
        assert_eq!(sample(&counter, 0, 30, DataType::Byte), 250.0);
        assert_eq!(sample(&counter, 0, 40, DataType::Byte), 252.0);
        let random = Simulation::Random {
            min: 1.0,
            max: 6.0,
            seed: Some(7),
            every_ms: 100,
        };
        let draws: Vec<f64> = (0..200)
            .map(|k| sample(&random, 7, k * 100, DataType::Int))
            .collect();
        assert!(draws
            .iter()
            .all(|x| (1.0..=6.0).contains(x) && x.fract() == 0.0));
        for face in 1..=6 {
            assert!(draws.contains(&f64::from(face)), "{face} never drawn");
        }
        assert_eq!(
            sample(&random, 7, 50, DataType::Int),
            sample(&random, 7, 99, DataType::Int),
            "one draw per interval"
        );
        assert!((0..1000).all(|k| (0.0..1.0).contains(&unit(3, k))));
    }

    #[test]
    fn values_are_rounded_to_the_type() {
        assert_eq!(value_of(DataType::Int, 2.6), Some(Value::Int(3)));
        assert_eq!(value_of(DataType::Bool, 1.0), Some(Value::Bool(true)));
        assert_eq!(value_of(DataType::Real, 2.5), Some(Value::Real(2.5)));
        assert_eq!(value_of(DataType::Byte, 256.0), None);
    }

    #[test]
    fn only_numbers_and_bools_are_simulated_within_their_range() {
        let sine = Simulation::Sine {
            min: 0.0,
            max: 100.0,
            period_ms: 1000,
        };
        let tag = |a: &str| Tag::parse(a).unwrap();
        assert!(check_simulation(&tag("DB1.DBD0:REAL"), &sine).is_ok());
        assert!(check_simulation(&tag("DB1.DBB0"), &sine).is_ok());
        assert!(check_simulation(&tag("DB1.DBB0:STRING[4]"), &sine)
            .unwrap_err()
            .contains("cannot simulate a STRING[4] tag"));
        assert!(check_simulation(&tag("DB1.DBW0:INT[2]"), &sine)
            .unwrap_err()
            .contains("array"));
        let wide = Simulation::Sine {
            min: -1.0,
            max: 100.0,
            period_ms: 1000,
        };
        assert!(check_simulation(&tag("DB1.DBB0"), &wide)
            .unwrap_err()
            .contains("min -1 is outside the range of BYTE"));
    }
}
