//! The OpenAPI document's frame: the bearer scheme, the answers every
//! route may give (written once here rather than on each handler, so that
//! none is forgotten), and the links from a taken number to its use's
//! routes that stateful clients and fuzzers follow.

use utoipa::{
    openapi::{
        header::HeaderBuilder,
        path::Operation,
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
        ContentBuilder, ObjectBuilder, RefOr, ResponseBuilder, Type,
    },
    Modify, OpenApi,
};

/// The document's frame; the paths come from the routes.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "numbot API",
        description = "Phone numbers from the team's pool for SMS verification tests: take one, wait for its code, release it."
    ),
    components(schemas(crate::error::ErrorBody)),
    modifiers(&Bearer),
)]
pub(crate) struct ApiDoc;

/// Adds the answers every route may give, once the routes are in the
/// document.
pub(crate) fn complete(openapi: &mut utoipa::openapi::OpenApi) {
    Answers.modify(openapi);
}

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The answers a route gives whatever it does: refusals of the token and
/// its pace, of the request as sent, and failures of numbot's side.
struct Answers;

impl Modify for Answers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for operation in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                add_answers(operation);
            }
        }
    }
}

fn add_answers(operation: &mut Operation) {
    let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let reads_input = operation.request_body.is_some()
        || operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
    let mut add = |status: &str, description: &str, retry_after: bool| {
        let mut response = ResponseBuilder::new()
            .description(description)
            .content("application/json", error_body());
        if retry_after {
            response = response.header(
                "Retry-After",
                HeaderBuilder::new()
                    .schema(
                        ObjectBuilder::new()
                            .schema_type(Type::Integer)
                            .minimum(Some(1)),
                    )
                    .description(Some("seconds to wait before trying again"))
                    .build(),
            );
        }
        operation
            .responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| RefOr::T(response.build()));
    };
    if secured {
        add("401", "no token, or not a live one (`unauthorized`)", false);
        add(
            "429",
            "over the token's pace (`too_many_requests`), its waits (`too_many_waits`) or \
             its numbers per window (`rate_limited`), or too many unknown tokens from this \
             address (`too_many_lookups`); see Retry-After",
            true,
        );
    }
    if reads_input {
        add(
            "400",
            "the request is malformed; `field` names what is wrong (`bad_request`)",
            false,
        );
    }
    if operation.request_body.is_some() {
        add("413", "the body is over 16 KiB (`too_large`)", false);
    }
    if secured {
        add(
            "500",
            "numbot failed on its side; nothing was changed (`internal`)",
            false,
        );
        add(
            "503",
            "numbot cannot reach its storage now; nothing was changed (`unavailable`)",
            true,
        );
    }
}

fn error_body() -> utoipa::openapi::Content {
    ContentBuilder::new()
        .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
            "ErrorBody",
        ))))
        .build()
}

/// From a taken number to the routes of its use: the `use_id` of the
/// answer is their path parameter. Written into the JSON: utoipa 5 writes
/// a link's `operationId` as `operation_id`, which validators refuse.
pub(crate) fn add_links(document: &mut serde_json::Value) {
    let Some(created) = document
        .pointer_mut("/paths/~1v1~1numbers/post/responses/201")
        .and_then(serde_json::Value::as_object_mut)
    else {
        return;
    };
    let mut links = serde_json::Map::new();
    for (name, operation, what) in [
        ("Messages", "messages", "the messages received on this use"),
        ("Done", "done", "end this use as done"),
        ("Cancel", "cancel", "give this number back"),
    ] {
        links.insert(
            name.to_string(),
            serde_json::json!({
                "operationId": operation,
                "parameters": { "use_id": "$response.body#/use_id" },
                "description": what,
            }),
        );
    }
    created.insert("links".into(), serde_json::Value::Object(links));
}
