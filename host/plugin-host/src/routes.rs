//! The serving set: which plugin answers each world, and each country for
//! formatting. Built whole after every reload and read without locks held
//! across calls.

use std::{
    collections::{BTreeMap, HashMap},
    path::PathBuf,
    sync::Arc,
};

use numbot_core::plugins::PluginInfo;

use crate::{
    error::PluginError,
    host::FileEntry,
    instance::{AnyPlugin, Plugin},
    manifest::WorldKind,
    types::Countries,
    worlds::{ExtractorWorld, FormatterWorld, PolicyWorld, ValidatorWorld},
};

/// The id preferred for the fallback formatter when several claim all countries.
const DEFAULT_FORMATTER: &str = "numbot-formatter";

/// The serving set: replaced whole on every reload, read without blocking calls.
#[derive(Default)]
pub(crate) struct Routes {
    pub(crate) validators: BTreeMap<String, Arc<Plugin<ValidatorWorld>>>,
    pub(crate) policies: BTreeMap<String, Arc<Plugin<PolicyWorld>>>,
    pub(crate) extractors: BTreeMap<String, Arc<Plugin<ExtractorWorld>>>,
    /// The formatter claiming each country.
    pub(crate) by_country: HashMap<String, Arc<Plugin<FormatterWorld>>>,
    /// The formatter for everything else.
    pub(crate) fallback: Option<Arc<Plugin<FormatterWorld>>>,
    /// Every serving plugin by id, for callers that name one.
    pub(crate) by_id: BTreeMap<String, AnyPlugin>,
    pub(crate) infos: Vec<PluginInfo>,
}

pub(crate) fn pick<W: crate::worlds::World>(
    plugins: &BTreeMap<String, Arc<Plugin<W>>>,
    configured: Option<&str>,
    default: &str,
    world: WorldKind,
) -> Result<Arc<Plugin<W>>, PluginError> {
    let found = match configured {
        Some(id) => plugins.get(id),
        None => plugins.get(default).or_else(|| plugins.values().next()),
    };
    found.cloned().ok_or(PluginError::Missing {
        world,
        wanted: configured.map(str::to_string),
    })
}

pub(crate) fn build_routes(files: &BTreeMap<PathBuf, FileEntry>) -> Routes {
    let mut routes = Routes::default();
    let mut fallbacks: BTreeMap<String, Arc<Plugin<FormatterWorld>>> = BTreeMap::new();
    // Sorted by id, so that when two formatters claim a country the first id wins, every time.
    let mut plugins: Vec<&AnyPlugin> = files.values().filter_map(|e| e.plugin.as_ref()).collect();
    plugins.sort_by(|a, b| a.manifest().id.cmp(&b.manifest().id));
    for plugin in plugins {
        let manifest = plugin.manifest();
        routes.by_id.insert(manifest.id.clone(), plugin.clone());
        let mut countries = None;
        match plugin {
            AnyPlugin::Validator(p) => {
                routes.validators.insert(manifest.id.clone(), p.clone());
            }
            AnyPlugin::Policy(p) => {
                routes.policies.insert(manifest.id.clone(), p.clone());
            }
            AnyPlugin::Extractor(p) => {
                routes.extractors.insert(manifest.id.clone(), p.clone());
            }
            AnyPlugin::Formatter(p, Countries::All) => {
                fallbacks.insert(manifest.id.clone(), p.clone());
            }
            AnyPlugin::Formatter(p, Countries::Only(list)) => {
                for country in list {
                    if let Some(owner) = routes.by_country.get(country) {
                        tracing::warn!(
                            %country,
                            kept = %owner.manifest().id,
                            ignored = %manifest.id,
                            "two formatters claim one country"
                        );
                    } else {
                        routes.by_country.insert(country.clone(), p.clone());
                    }
                }
                countries = Some(list.clone());
            }
        }
        routes.infos.push(PluginInfo {
            id: manifest.id.clone(),
            version: manifest.version.clone(),
            world: manifest.world,
            countries,
            source: plugin.source().to_path_buf(),
        });
    }
    routes.fallback = fallbacks
        .get(DEFAULT_FORMATTER)
        .or_else(|| fallbacks.values().next())
        .cloned();
    routes
        .infos
        .sort_by(|a, b| (a.world, &a.id).cmp(&(b.world, &b.id)));
    routes
}
