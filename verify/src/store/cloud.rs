//! Opening a cloud store (S3, GCS, Azure) with its settings.
//!
//! Credentials, endpoints and client settings are `object_store`'s own config keys (from
//! the usual `AWS_*`, `GOOGLE_*`, `AZURE_*` variables). One setting is ours: how long a
//! failing request is retried before its error reaches the job (`MEZ_STORE_RETRY_SECONDS`).
//! Without it `object_store`'s default holds: 10 retries within 3 minutes, which its
//! backoff spends in a few seconds of outage. With it, retries go on for that long: an
//! operator whose object store may be down for minutes sets it so a nightly rides out the
//! outage; a test of a dead server lowers it so the run gives up, and says so, at once.

use std::time::Duration;

use object_store::ObjectStore;
use object_store::path::Path;

/// The environment variable of the retry budget, in seconds.
pub const RETRY_SECONDS_VAR: &str = "MEZ_STORE_RETRY_SECONDS";

/// The option key the retry budget travels under among the backend options.
pub const RETRY_SECONDS_KEY: &str = "mez_retry_seconds";

/// Backend options: `object_store` config keys and their values.
pub type Options = Vec<(String, String)>;

/// Splits our retry budget out of the backend options.
pub fn retry_budget(
    options: impl IntoIterator<Item = (String, String)>,
) -> Result<(Options, Option<Duration>), String> {
    let mut rest = Vec::new();
    let mut budget = None;
    for (key, value) in options {
        if key.eq_ignore_ascii_case(RETRY_SECONDS_KEY) {
            let seconds: u64 = value.trim().parse().map_err(|_| {
                format!("{RETRY_SECONDS_VAR}={value:?} is not a whole number of seconds")
            })?;
            budget = Some(Duration::from_secs(seconds));
        } else {
            rest.push((key, value));
        }
    }
    Ok((rest, budget))
}

/// A cloud store and the path prefix its URL names.
#[cfg(feature = "cloud")]
pub fn open(
    url: &url::Url,
    options: Options,
    retry: Option<Duration>,
) -> Result<(Box<dyn ObjectStore>, Path), String> {
    use object_store::ObjectStoreScheme;
    use object_store::aws::AmazonS3Builder;
    use object_store::azure::MicrosoftAzureBuilder;
    use object_store::gcp::GoogleCloudStorageBuilder;

    let Some(retry_timeout) = retry else {
        return object_store::parse_url_opts(url, options).map_err(|e| e.to_string());
    };
    // The time budget governs: `object_store`'s default also stops after 10 retries,
    // which its backoff spends in a few seconds.
    let retry = object_store::RetryConfig {
        retry_timeout,
        max_retries: 1_000,
        ..Default::default()
    };
    let (scheme, path) = ObjectStoreScheme::parse(url).map_err(|e| e.to_string())?;
    let path = Path::parse(path).map_err(|e| e.to_string())?;
    // Unknown keys are left to other backends, as `object_store::parse_url_opts` does.
    macro_rules! build {
        ($builder:ty) => {{
            let builder = options.into_iter().fold(
                <$builder>::new().with_url(url.as_str()),
                |builder, (key, value)| match key.to_ascii_lowercase().parse() {
                    Ok(key) => builder.with_config(key, value),
                    Err(_) => builder,
                },
            );
            Box::new(
                builder
                    .with_retry(retry)
                    .build()
                    .map_err(|e| e.to_string())?,
            ) as Box<dyn ObjectStore>
        }};
    }
    let store = match scheme {
        ObjectStoreScheme::AmazonS3 => build!(AmazonS3Builder),
        ObjectStoreScheme::GoogleCloudStorage => build!(GoogleCloudStorageBuilder),
        ObjectStoreScheme::MicrosoftAzure => build!(MicrosoftAzureBuilder),
        other => return Err(format!("{other:?} is not a cloud store")),
    };
    Ok((store, path))
}

/// Without the `cloud` feature, `object_store` says which backend is missing.
#[cfg(not(feature = "cloud"))]
pub fn open(
    url: &url::Url,
    options: Options,
    _retry: Option<Duration>,
) -> Result<(Box<dyn ObjectStore>, Path), String> {
    object_store::parse_url_opts(url, options).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_retry_budget_is_ours_and_the_rest_goes_to_the_backend() {
        let options = vec![
            ("aws_endpoint".to_owned(), "http://127.0.0.1:1".to_owned()),
            (RETRY_SECONDS_KEY.to_owned(), " 7 ".to_owned()),
        ];
        let (rest, budget) = retry_budget(options).unwrap();
        assert_eq!(budget, Some(Duration::from_secs(7)));
        assert_eq!(
            rest,
            [("aws_endpoint".to_owned(), "http://127.0.0.1:1".to_owned())]
        );
        let err = retry_budget([(RETRY_SECONDS_KEY.to_owned(), "soon".to_owned())]).unwrap_err();
        assert!(
            err.contains(RETRY_SECONDS_VAR) && err.contains("soon"),
            "{err}"
        );
    }
}
