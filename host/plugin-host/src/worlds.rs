//! The four worlds as the host drives them: how each is type-checked,
//! instantiated and configured, and its calls with their results checked
//! against the contract.

use wasmtime::{component::InstancePre, Store};

use crate::{
    bindings::{self, HostState},
    error::PluginError,
    instance::Plugin,
    manifest::WorldKind,
    types::{Choice, Countries, Formatted, Request, Spans, Validation},
};
use bindings::formatter::exports::numbot::plugin::format::Countries as WitCountries;

/// One plugin world as the host drives it.
pub trait World: 'static {
    /// Which world this is.
    const KIND: WorldKind;
    /// Pre-instantiated component, type-checked against the world.
    type Pre: Clone + Send + Sync;
    /// The generated bindings of one instance.
    type Bindings: Send;

    /// Type-checks the component's exports against the world.
    fn pre(pre: InstancePre<HostState>) -> wasmtime::Result<Self::Pre>;
    /// Instantiates into a store.
    fn instantiate(
        pre: &Self::Pre,
        store: &mut Store<HostState>,
    ) -> wasmtime::Result<Self::Bindings>;
    /// Calls the plugin's `configure` (the generated binding takes `&Vec`).
    #[allow(clippy::ptr_arg)]
    fn configure(
        bindings: &Self::Bindings,
        store: &mut Store<HostState>,
        settings: &Vec<(String, String)>,
    ) -> wasmtime::Result<Result<(), String>>;
}

macro_rules! world {
    ($name:ident, $kind:ident, $module:ident, $pre:ident, $bindings:ident) => {
        #[doc = concat!("The `", stringify!($module), "` world.")]
        pub struct $name;

        impl World for $name {
            const KIND: WorldKind = WorldKind::$kind;
            type Pre = bindings::$module::$pre<HostState>;
            type Bindings = bindings::$module::$bindings;

            fn pre(pre: InstancePre<HostState>) -> wasmtime::Result<Self::Pre> {
                bindings::$module::$pre::new(pre)
            }

            fn instantiate(
                pre: &Self::Pre,
                store: &mut Store<HostState>,
            ) -> wasmtime::Result<Self::Bindings> {
                pre.instantiate(store)
            }

            #[allow(clippy::ptr_arg)]
            fn configure(
                bindings: &Self::Bindings,
                store: &mut Store<HostState>,
                settings: &Vec<(String, String)>,
            ) -> wasmtime::Result<Result<(), String>> {
                bindings
                    .numbot_plugin_config()
                    .call_configure(store, settings)
            }
        }
    };
}

world!(
    ValidatorWorld,
    Validator,
    validator,
    ValidatorPre,
    Validator
);
world!(
    FormatterWorld,
    Formatter,
    formatter,
    FormatterPre,
    Formatter
);
world!(PolicyWorld, Policy, policy, PolicyPre, Policy);
world!(
    ExtractorWorld,
    Extractor,
    extractor,
    ExtractorPre,
    Extractor
);

impl Plugin<ValidatorWorld> {
    /// Validates one uploaded file.
    pub fn validate(&self, file_name: &str, data: &[u8]) -> Result<Validation, PluginError> {
        let raw = self
            .call(|b, store| {
                b.numbot_plugin_validate()
                    .call_validate(store, file_name, data)
            })?
            .map_err(|m| self.refused(m))?;
        Spans::validation(&raw, self.result_budget()).map_err(|m| self.contract(m))
    }
}

impl Plugin<FormatterWorld> {
    /// The countries the plugin claims.
    pub fn claims(&self) -> Result<Countries, PluginError> {
        let raw = self.call(|b, store| b.numbot_plugin_format().call_claims(store))?;
        match raw {
            WitCountries::All => Ok(Countries::All),
            WitCountries::Only(list) => {
                let codes: Vec<String> = list.split(',').map(|c| c.trim().to_string()).collect();
                match codes.iter().find(|c| !is_alpha2(c)) {
                    Some(bad) => {
                        Err(self.contract(format!("`{bad}` is not an ISO 3166 alpha-2 code")))
                    }
                    None => Ok(Countries::Only(codes)),
                }
            }
        }
    }

    /// Formats a batch: one result per number, in order.
    pub fn format(
        &self,
        numbers: &[String],
        default_country: Option<&str>,
    ) -> Result<Vec<Result<Formatted, String>>, PluginError> {
        let raw = self.call(|b, store| {
            b.numbot_plugin_format()
                .call_format(store, numbers, default_country)
        })?;
        if raw.results.len() != numbers.len() {
            return Err(self.contract(format!(
                "{} results for {} numbers",
                raw.results.len(),
                numbers.len()
            )));
        }
        Spans::formatted(&raw, self.result_budget()).map_err(|m| self.contract(m))
    }
}

impl Plugin<PolicyWorld> {
    /// Picks a candidate and a slot; the pick is checked against the request.
    pub fn select(&self, request: &Request) -> Result<Choice, PluginError> {
        let wire = super::types::request_to_wit(request);
        let choice = self
            .call(|b, store| b.numbot_plugin_select().call_select(store, &wire))?
            .map_err(|m| self.refused(m))?;
        let Some(candidate) = request.candidates.get(choice.candidate as usize) else {
            return Err(self.contract(format!(
                "candidate {} of {}",
                choice.candidate,
                request.candidates.len()
            )));
        };
        if choice.slot >= candidate.available {
            return Err(self.contract(format!(
                "slot {} of a file with {} available",
                choice.slot, candidate.available
            )));
        }
        Ok(Choice {
            candidate: choice.candidate,
            slot: choice.slot,
        })
    }
}

/// Longest code an extractor may return: a code is for typing, not a message.
const MAX_CODE: usize = 64;

impl Plugin<ExtractorWorld> {
    /// The code `text` carries, if any; an empty code or one longer than 64
    /// bytes breaks the contract.
    pub fn extract(&self, text: &str) -> Result<Option<String>, PluginError> {
        let code = self.call(|b, store| b.numbot_plugin_extract().call_extract(store, text))?;
        match code {
            Some(c) if c.is_empty() || c.len() > MAX_CODE => {
                Err(self.contract(format!("a code of {} bytes", c.len())))
            }
            other => Ok(other),
        }
    }
}

fn is_alpha2(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())
}
