# numbot in a container: the bot and its default plugins, built from source.
#   docker build -t numbot .
# The plugins are WebAssembly components built in the image (rustup's
# wasm32 target); the runtime image holds the binary, the plugins and nothing else.

FROM rust:1.95-bookworm AS build
RUN rustup target add wasm32-unknown-unknown
WORKDIR /src
COPY . .
RUN cargo build-plugins --release --no-fixtures \
 && cargo build --release -p numbot \
 && mkdir -p /out/plugins \
 && cp target/release/numbot /out/ \
 && cp target/plugins/*.wasm target/plugins/*.toml /out/plugins/

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /data numbot \
 && mkdir -p /data /var/cache/numbot \
 && chown numbot /data /var/cache/numbot
COPY --from=build /out/numbot /usr/local/bin/numbot
COPY --from=build /out/plugins /usr/local/share/numbot/plugins
ENV NUMBOT_PLUGIN_DIRS=/usr/local/share/numbot/plugins \
    NUMBOT_CACHE_DIR=/var/cache/numbot \
    NUMBOT_DATA_DIR=/data
USER numbot
VOLUME ["/data"]
EXPOSE 8443 8080
ENTRYPOINT ["numbot"]
CMD ["run", "--config", "/etc/numbot/numbot.toml"]
