//! ISO 4217 currencies and exact decimal amounts in minor units.
//!
//! Amounts arrive as decimal text (`510000.74`, `136500`, `2.34`). They become integers in
//! the currency's minor unit — never floats, never rounded: an amount with more fraction
//! digits than the currency has (even trailing zeros, `1000.0` for JPY) is refused, as are
//! signs, exponents, and codes that are not active ISO 4217 currencies with a minor unit.

use std::fmt;

/// Active ISO 4217 currency codes with their minor-unit exponent (number of decimals),
/// sorted by code for binary search. Funds and metals whose minor unit is "N.A." (XAU,
/// XDR, XTS, ...) are listed separately in [`NO_MINOR_UNIT`]: they cannot be settled in
/// minor units.
pub const CURRENCIES: &[(&str, u8)] = &[
    ("AED", 2),
    ("AFN", 2),
    ("ALL", 2),
    ("AMD", 2),
    ("ANG", 2),
    ("AOA", 2),
    ("ARS", 2),
    ("AUD", 2),
    ("AWG", 2),
    ("AZN", 2),
    ("BAM", 2),
    ("BBD", 2),
    ("BDT", 2),
    ("BGN", 2),
    ("BHD", 3),
    ("BIF", 0),
    ("BMD", 2),
    ("BND", 2),
    ("BOB", 2),
    ("BOV", 2),
    ("BRL", 2),
    ("BSD", 2),
    ("BTN", 2),
    ("BWP", 2),
    ("BYN", 2),
    ("BZD", 2),
    ("CAD", 2),
    ("CDF", 2),
    ("CHE", 2),
    ("CHF", 2),
    ("CHW", 2),
    ("CLF", 4),
    ("CLP", 0),
    ("CNY", 2),
    ("COP", 2),
    ("COU", 2),
    ("CRC", 2),
    ("CUP", 2),
    ("CVE", 2),
    ("CZK", 2),
    ("DJF", 0),
    ("DKK", 2),
    ("DOP", 2),
    ("DZD", 2),
    ("EGP", 2),
    ("ERN", 2),
    ("ETB", 2),
    ("EUR", 2),
    ("FJD", 2),
    ("FKP", 2),
    ("GBP", 2),
    ("GEL", 2),
    ("GHS", 2),
    ("GIP", 2),
    ("GMD", 2),
    ("GNF", 0),
    ("GTQ", 2),
    ("GYD", 2),
    ("HKD", 2),
    ("HNL", 2),
    ("HTG", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("IQD", 3),
    ("IRR", 2),
    ("ISK", 0),
    ("JMD", 2),
    ("JOD", 3),
    ("JPY", 0),
    ("KES", 2),
    ("KGS", 2),
    ("KHR", 2),
    ("KMF", 0),
    ("KPW", 2),
    ("KRW", 0),
    ("KWD", 3),
    ("KYD", 2),
    ("KZT", 2),
    ("LAK", 2),
    ("LBP", 2),
    ("LKR", 2),
    ("LRD", 2),
    ("LSL", 2),
    ("LYD", 3),
    ("MAD", 2),
    ("MDL", 2),
    ("MGA", 2),
    ("MKD", 2),
    ("MMK", 2),
    ("MNT", 2),
    ("MOP", 2),
    ("MRU", 2),
    ("MUR", 2),
    ("MVR", 2),
    ("MWK", 2),
    ("MXN", 2),
    ("MXV", 2),
    ("MYR", 2),
    ("MZN", 2),
    ("NAD", 2),
    ("NGN", 2),
    ("NIO", 2),
    ("NOK", 2),
    ("NPR", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PAB", 2),
    ("PEN", 2),
    ("PGK", 2),
    ("PHP", 2),
    ("PKR", 2),
    ("PLN", 2),
    ("PYG", 0),
    ("QAR", 2),
    ("RON", 2),
    ("RSD", 2),
    ("RUB", 2),
    ("RWF", 0),
    ("SAR", 2),
    ("SBD", 2),
    ("SCR", 2),
    ("SDG", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("SHP", 2),
    ("SLE", 2),
    ("SOS", 2),
    ("SRD", 2),
    ("SSP", 2),
    ("STN", 2),
    ("SVC", 2),
    ("SYP", 2),
    ("SZL", 2),
    ("THB", 2),
    ("TJS", 2),
    ("TMT", 2),
    ("TND", 3),
    ("TOP", 2),
    ("TRY", 2),
    ("TTD", 2),
    ("TWD", 2),
    ("TZS", 2),
    ("UAH", 2),
    ("UGX", 0),
    ("USD", 2),
    ("USN", 2),
    ("UYI", 0),
    ("UYU", 2),
    ("UYW", 4),
    ("UZS", 2),
    ("VED", 2),
    ("VES", 2),
    ("VND", 0),
    ("VUV", 0),
    ("WST", 2),
    ("XAF", 0),
    ("XCD", 2),
    ("XCG", 2),
    ("XOF", 0),
    ("XPF", 0),
    ("YER", 2),
    ("ZAR", 2),
    ("ZMW", 2),
    ("ZWG", 2),
];

/// ISO 4217 codes whose minor unit is "N.A." (precious metals, funds, test and "no
/// currency" codes): valid codes, but not amounts that can be netted in minor units.
pub const NO_MINOR_UNIT: &[&str] = &[
    "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XDR", "XPD", "XPT", "XSU", "XTS", "XUA", "XXX",
];

/// Why an amount was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountError {
    UnknownCurrency(String),
    NoMinorUnit(String),
    Malformed(String),
    TooManyDecimals {
        text: String,
        currency: String,
        allowed: u8,
    },
    Overflow(String),
}

impl fmt::Display for AmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AmountError::UnknownCurrency(c) => write!(
                f,
                "unknown currency code {c:?} (not an active ISO 4217 code)"
            ),
            AmountError::NoMinorUnit(c) => write!(
                f,
                "currency {c} has no minor unit in ISO 4217 (N.A.) and cannot be netted"
            ),
            AmountError::Malformed(t) => {
                write!(f, "amount {t:?} is not a plain non-negative decimal")
            }
            AmountError::TooManyDecimals {
                text,
                currency,
                allowed,
            } => write!(
                f,
                "amount {text:?} has more decimals than {currency} allows ({allowed}); refused, not rounded"
            ),
            AmountError::Overflow(t) => {
                write!(f, "amount {t:?} does not fit in 64-bit minor units")
            }
        }
    }
}

/// The minor-unit exponent of an active currency.
pub fn exponent(code: &str) -> Result<u8, AmountError> {
    // Codes compare as three-byte numbers: the table is searched without string compares.
    let key = |c: &str| match c.as_bytes() {
        &[a, b, c] => Some(u32::from_be_bytes([0, a, b, c])),
        _ => None,
    };
    let found = match key(code) {
        Some(k) => CURRENCIES.binary_search_by_key(&Some(k), |(c, _)| key(c)),
        None => Err(0),
    };
    match found {
        Ok(i) => Ok(CURRENCIES[i].1),
        Err(_) if NO_MINOR_UNIT.contains(&code) => Err(AmountError::NoMinorUnit(code.to_owned())),
        Err(_) => Err(AmountError::UnknownCurrency(code.to_owned())),
    }
}

/// Parses decimal text into integer minor units of `currency`, exactly.
pub fn to_minor_units(text: &str, currency: &str) -> Result<i64, AmountError> {
    to_minor_units_with(text, currency, exponent(currency)?)
}

/// [`to_minor_units`] for a caller that already looked up `currency`'s exponent (a reader
/// meets the same few currencies a million times).
pub fn to_minor_units_with(text: &str, currency: &str, allowed: u8) -> Result<i64, AmountError> {
    let Some((int_part, frac_part)) = decimal_digits(text) else {
        return Err(AmountError::Malformed(text.to_owned()));
    };
    if frac_part.len() > usize::from(allowed) {
        return Err(AmountError::TooManyDecimals {
            text: text.to_owned(),
            currency: currency.to_owned(),
            allowed,
        });
    }
    let overflow = || AmountError::Overflow(text.to_owned());
    let mut value: i64 = 0;
    for b in int_part.iter().chain(frac_part) {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(b - b'0')))
            .ok_or_else(overflow)?;
    }
    for _ in frac_part.len()..usize::from(allowed) {
        value = value.checked_mul(10).ok_or_else(overflow)?;
    }
    Ok(value)
}

/// The integer and fraction digits of plain decimal text (`12`, `12.50`); `None` for
/// anything else (signs, exponents, spaces, separators, `12.`, `.5`, non-ASCII digits).
fn decimal_digits(text: &str) -> Option<(&[u8], &[u8])> {
    let bytes = text.as_bytes();
    let int_len = bytes
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(bytes.len());
    let (int_part, rest) = bytes.split_at(int_len);
    if int_part.is_empty() {
        return None;
    }
    match rest {
        [] => Some((int_part, &[])),
        [b'.', frac_part @ ..]
            if !frac_part.is_empty() && frac_part.iter().all(u8::is_ascii_digit) =>
        {
            Some((int_part, frac_part))
        }
        _ => None,
    }
}

/// An exact decimal (mantissa × 10^-scale) for sums such as `CtrlSum`, which add amounts of
/// any currencies as plain decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Decimal {
    pub mantissa: i128,
    pub scale: u32,
}

impl Decimal {
    /// Parses plain non-negative decimal text.
    pub fn parse(text: &str) -> Option<Decimal> {
        let (int_part, frac_part) = decimal_digits(text)?;
        if int_part.len() + frac_part.len() > 30 {
            return None;
        }
        // At most 30 digits: far inside i128.
        let mut mantissa: i128 = 0;
        for b in int_part.iter().chain(frac_part) {
            mantissa = mantissa
                .checked_mul(10)?
                .checked_add(i128::from(b - b'0'))?;
        }
        Some(Decimal {
            mantissa,
            scale: frac_part.len() as u32,
        })
    }

    /// Exact sum; `None` on overflow.
    pub fn checked_add(self, other: Decimal) -> Option<Decimal> {
        let scale = self.scale.max(other.scale);
        let a = self
            .mantissa
            .checked_mul(10i128.checked_pow(scale - self.scale)?)?;
        let b = other
            .mantissa
            .checked_mul(10i128.checked_pow(scale - other.scale)?)?;
        Some(Decimal {
            mantissa: a.checked_add(b)?,
            scale,
        })
    }

    /// Numeric equality regardless of scale (`1.50 == 1.5`).
    pub fn same_value(self, other: Decimal) -> bool {
        let scale = self.scale.max(other.scale);
        let lift = |d: Decimal| {
            10i128
                .checked_pow(scale - d.scale)
                .and_then(|p| d.mantissa.checked_mul(p))
        };
        lift(self).is_some() && lift(self) == lift(other)
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.scale == 0 {
            return write!(f, "{}", self.mantissa);
        }
        let p = 10i128.pow(self.scale);
        write!(
            f,
            "{}.{:0width$}",
            self.mantissa / p,
            self.mantissa % p,
            width = self.scale as usize
        )
    }
}

/// Formats minor units of `currency` back as decimal text (for reports).
pub fn format_minor(minor: i64, currency: &str) -> String {
    let e = exponent(currency).unwrap_or(0);
    Decimal {
        mantissa: i128::from(minor),
        scale: u32::from(e),
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn table_is_sorted_and_unique() {
        assert!(CURRENCIES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(CURRENCIES.len() > 150);
        assert!(
            CURRENCIES
                .iter()
                .all(|(c, _)| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()))
        );
    }

    #[test]
    fn exponents_of_the_domain_examples() {
        for (c, e) in [
            ("JPY", 0),
            ("KRW", 0),
            ("BHD", 3),
            ("KWD", 3),
            ("OMR", 3),
            ("CLF", 4),
            ("EUR", 2),
        ] {
            assert_eq!(exponent(c), Ok(e), "{c}");
        }
        assert_eq!(
            exponent("USDDSO"),
            Err(AmountError::UnknownCurrency("USDDSO".into()))
        );
        assert_eq!(exponent("XAU"), Err(AmountError::NoMinorUnit("XAU".into())));
    }

    #[test]
    fn amounts_parse_exactly_or_are_refused() {
        assert_eq!(to_minor_units("510000.74", "USD"), Ok(51_000_074));
        assert_eq!(to_minor_units("136500", "USD"), Ok(13_650_000));
        assert_eq!(to_minor_units("2.3", "EUR"), Ok(230));
        assert_eq!(to_minor_units("0", "EUR"), Ok(0));
        assert_eq!(to_minor_units("1000", "JPY"), Ok(1000));
        assert_eq!(to_minor_units("1.234", "BHD"), Ok(1234));
        assert!(matches!(
            to_minor_units("1000.0", "JPY"),
            Err(AmountError::TooManyDecimals { .. })
        ));
        assert!(matches!(
            to_minor_units("1.005", "EUR"),
            Err(AmountError::TooManyDecimals { .. })
        ));
        for bad in [
            "", ".5", "5.", "-1", "+1", "1e3", "1,5", " 1", "1.2.3", "١٢",
        ] {
            assert!(
                matches!(to_minor_units(bad, "EUR"), Err(AmountError::Malformed(_))),
                "{bad:?}"
            );
        }
        assert!(matches!(
            to_minor_units("99999999999999999999", "EUR"),
            Err(AmountError::Overflow(_))
        ));
    }

    proptest! {
        #[test]
        fn minor_units_round_trip(minor in 0i64..i64::MAX / 100, pick in 0usize..CURRENCIES.len()) {
            let (code, _) = CURRENCIES[pick];
            let text = format_minor(minor, code);
            prop_assert_eq!(to_minor_units(&text, code), Ok(minor));
        }

        #[test]
        fn decimals_parse_as_their_digits_say(text in prop_oneof![
            "[0-9]{1,20}(\\.[0-9]{0,12})?",
            "[0-9]{20,24}\\.[0-9]{5,12}",
            "[0-9.,+e -]{0,34}",
        ]) {
            // The definition: digits, optionally a point and more digits, at most 30 in all.
            let (int_part, frac_part) = text.split_once('.').unwrap_or((&text, ""));
            let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
            let plain = !int_part.is_empty()
                && digits(int_part)
                && (!text.contains('.') || (!frac_part.is_empty() && digits(frac_part)))
                && int_part.len() + frac_part.len() <= 30;
            let expected = plain.then(|| Decimal {
                mantissa: format!("{int_part}{frac_part}").parse().unwrap(),
                scale: frac_part.len() as u32,
            });
            prop_assert_eq!(Decimal::parse(&text), expected);
        }

        #[test]
        fn decimal_sums_are_exact(a in 0u64..1_000_000_000, b in 0u64..1_000_000_000, sa in 0u32..6, sb in 0u32..6) {
            let da = Decimal { mantissa: i128::from(a), scale: sa };
            let db = Decimal { mantissa: i128::from(b), scale: sb };
            let sum = da.checked_add(db).unwrap();
            prop_assert_eq!(Decimal::parse(&sum.to_string()).unwrap(), sum);
            prop_assert!(sum.checked_add(Decimal::default()).unwrap().same_value(db.checked_add(da).unwrap()));
        }
    }
}
