//! Which categories a protocol `(service, country)` asks for: the operator's
//! `[[api.sms_activate.map]]` entries first, then, with service `ot` ("any
//! other"), each category under the countries of its files. A service the
//! map does not name falls back to `ot`: a number receives any service's
//! messages.

use std::{
    collections::BTreeSet,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use numbot_core::{model::Stats, Numbers, StoreError};
use serde::Deserialize;

use super::countries;

/// The service code of "any other service".
pub(crate) const ANY: &str = "ot";

/// How long a catalog (with its counts) is reused.
const FRESH_FOR: Duration = Duration::from_secs(2);

/// One `[[api.sms_activate.map]]` entry.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ServiceMap {
    /// The protocol's service code (`tg`, `wa`, `go`, …; `ot` for any).
    pub service: String,
    /// The protocol's country id (RU 0, GB 16, IN 22, US 187, …); unset,
    /// the countries of the category's files.
    #[serde(default)]
    pub country: Option<u32>,
    /// The category it takes numbers of.
    pub category: String,
}

impl ServiceMap {
    /// Why the entry cannot be used, if it cannot.
    pub fn problem(&self) -> Option<String> {
        if !valid_service(&self.service) {
            return Some(format!(
                "service `{}` is not a service code (2 or 3 lowercase letters or digits)",
                self.service
            ));
        }
        match self.country {
            Some(id) if countries::iso_of(id).is_none() => Some(format!(
                "country {id} is not a known SMS-Activate country id"
            )),
            _ => None,
        }
    }
}

/// Whether `code` has the shape of a service code.
pub(crate) fn valid_service(code: &str) -> bool {
    (2..=3).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// A category offered under a service and country, with its free numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Offer {
    pub service: String,
    pub country: u32,
    pub category: String,
    pub available: u64,
}

/// Every offer of the pool now.
#[derive(Debug, Default)]
pub(crate) struct Catalog {
    /// The map's offers first (in its order), then the defaults.
    pub offers: Vec<Offer>,
}

impl Catalog {
    pub(crate) fn build(map: &[ServiceMap], stats: &Stats) -> Catalog {
        let countries_of = |category: &str| -> BTreeSet<u32> {
            stats
                .files
                .iter()
                .filter(|f| !f.meta.deleted && f.meta.country_name == category)
                .filter_map(|f| f.meta.country_code.as_deref().and_then(countries::id_of))
                .collect()
        };
        let available = |category: &str| stats.categories.get(category).map_or(0, |u| u.available);
        let mut offers = Vec::new();
        for entry in map {
            let countries = match entry.country {
                Some(id) => BTreeSet::from([id]),
                None => countries_of(&entry.category),
            };
            for country in countries {
                offers.push(Offer {
                    service: entry.service.clone(),
                    country,
                    category: entry.category.clone(),
                    available: available(&entry.category),
                });
            }
        }
        for category in stats.categories.keys() {
            for country in countries_of(category) {
                offers.push(Offer {
                    service: ANY.into(),
                    country,
                    category: category.clone(),
                    available: available(category),
                });
            }
        }
        Catalog { offers }
    }

    /// The categories to try for `service` in `country` (any when unset),
    /// best first, each once.
    pub(crate) fn categories(&self, service: &str, country: Option<u32>) -> Vec<&Offer> {
        let in_country = |o: &&Offer| country.is_none_or(|c| o.country == c);
        let mut named: Vec<&Offer> = self
            .offers
            .iter()
            .filter(|o| o.service == service)
            .filter(in_country)
            .collect();
        if named.is_empty() {
            named = self
                .offers
                .iter()
                .filter(|o| o.service == ANY)
                .filter(in_country)
                .collect();
        }
        let mut seen = BTreeSet::new();
        named.retain(|o| seen.insert(o.category.as_str()));
        named
    }

    /// The countries offered, each once, by id.
    pub(crate) fn countries(&self) -> BTreeSet<u32> {
        self.offers.iter().map(|o| o.country).collect()
    }
}

/// The catalog, rebuilt from the pool at most every two seconds.
pub(crate) struct Catalogs {
    map: Vec<ServiceMap>,
    cached: Mutex<Option<(Instant, Arc<Catalog>)>>,
}

impl Catalogs {
    pub(crate) fn new(map: Vec<ServiceMap>) -> Catalogs {
        Catalogs {
            map,
            cached: Mutex::new(None),
        }
    }

    pub(crate) async fn now(&self, numbers: &Numbers) -> Result<Arc<Catalog>, StoreError> {
        if let Some((at, catalog)) = &*self.cached.lock().unwrap_or_else(|e| e.into_inner()) {
            if at.elapsed() < FRESH_FOR {
                return Ok(catalog.clone());
            }
        }
        let catalog = Arc::new(Catalog::build(&self.map, &numbers.stats().await?));
        *self.cached.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((Instant::now(), catalog.clone()));
        Ok(catalog)
    }
}

#[cfg(test)]
mod tests {
    use numbot_core::model::{FileInfo, FileMeta, Usage};

    use super::*;

    fn stats(files: &[(&str, &str, u64)]) -> Stats {
        let mut stats = Stats::default();
        for (category, country, available) in files {
            stats.files.push(FileInfo {
                name: format!("{category}.csv"),
                meta: FileMeta {
                    id: 0,
                    country_name: category.to_string(),
                    country_code: Some(country.to_string()),
                    admin_id: 1,
                    number_count: *available,
                    created_at: String::new(),
                    created_unix: 0,
                    usage_count: 0,
                    original_name: String::new(),
                    accepted: *available,
                    rejected: 0,
                    duplicates_in_file: 0,
                    duplicates_in_pool: 0,
                    sha256: String::new(),
                    deleted: false,
                    deleted_at: None,
                },
                usage: Usage::default(),
            });
            stats.categories.insert(
                category.to_string(),
                Usage {
                    available: *available,
                    ..Usage::default()
                },
            );
        }
        stats
    }

    #[test]
    fn the_map_comes_first_and_other_services_fall_back_to_any() {
        let map = vec![ServiceMap {
            service: "tg".into(),
            country: None,
            category: "UK Telegram".into(),
        }];
        let catalog = Catalog::build(
            &map,
            &stats(&[
                ("UK Telegram", "GB", 3),
                ("UK Mobile", "GB", 5),
                ("UAE", "AE", 2),
            ]),
        );
        let names = |service: &str, country: Option<u32>| -> Vec<String> {
            catalog
                .categories(service, country)
                .into_iter()
                .map(|o| o.category.clone())
                .collect()
        };
        assert_eq!(names("tg", Some(16)), ["UK Telegram"]);
        assert_eq!(names("wa", Some(16)), ["UK Mobile", "UK Telegram"]);
        assert_eq!(names("ot", Some(95)), ["UAE"]);
        assert!(names("tg", Some(187)).is_empty());
        assert_eq!(names("wa", None), ["UAE", "UK Mobile", "UK Telegram"]);
        assert_eq!(catalog.countries(), BTreeSet::from([16, 95]));
    }

    #[test]
    fn map_entries_are_checked() {
        let entry = |service: &str, country| ServiceMap {
            service: service.into(),
            country,
            category: "X".into(),
        };
        assert!(entry("tg", Some(16)).problem().is_none());
        assert!(entry("aww", None).problem().is_none());
        assert!(entry("Telegram", None).problem().is_some());
        assert!(entry("tg", Some(12)).problem().is_some());
    }
}
