# llm-gateway container image: the proxy (plus mock-azure and conformance) on Debian bookworm-slim.
#
#   docker build -t ghcr.io/OWNER/llm-gateway:1.0.0 .
#   docker run -p 4000:4000 -v $PWD/config.yaml:/app/proxy_server_config.yaml:ro \
#     -e LITELLM_MASTER_KEY=sk-... -e AZURE_API_KEY=... ghcr.io/OWNER/llm-gateway:1.0.0
#   docker run -p 4000:4000 ghcr.io/OWNER/llm-gateway:1.0.0 --demo      # offline, in front of MockAzure
#
# Kubernetes manifests: deploy/kubernetes (scripts/check-deploy.sh validates them).

# ---- build -------------------------------------------------------------------------------------------------------
# Swift 6.3 on Debian 12: some dependencies declare swift-tools-version 6.2, so 6.1 images cannot build this package.
ARG SWIFT_IMAGE=swift:6.3-bookworm
FROM ${SWIFT_IMAGE} AS build
WORKDIR /build

# Resolve dependencies first, in their own layer; a Package.resolved in the build context pins the exact versions.
COPY Package.* ./
RUN if [ -f Package.resolved ]; then swift package resolve --force-resolved-versions; else swift package resolve; fi

COPY . .
# --static-swift-stdlib links the Swift runtime and Foundation into the binaries: the runtime image needs no toolchain.
RUN for product in proxy mock-azure conformance; do \
        swift build -c release --static-swift-stdlib --product "$product" || exit 1; \
    done

# Binaries, their SwiftPM resource bundles (Bundle.module looks for *.resources beside the executable and stops the
# process when missing: prices.json, the conformance schemas) and the static crash-backtrace helper.
WORKDIR /staging
RUN bin="$(swift build --package-path /build -c release --show-bin-path)" \
    && cp "$bin/proxy" "$bin/mock-azure" "$bin/conformance" ./ \
    && cp -R "$bin"/*.resources ./ \
    && cp /usr/libexec/swift/linux/swift-backtrace-static ./

# ---- runtime -----------------------------------------------------------------------------------------------------
FROM debian:bookworm-slim

# ca-certificates: TLS to Azure OpenAI and Azure Database for PostgreSQL. tzdata: Foundation time zones.
# libstdc++6 and zlib1g are what the statically linked Swift runtime still loads (already in slim; listed to be sure).
# Not version-pinned on purpose: a rebuild should pick up Debian's security updates.
# hadolint ignore=DL3008
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends ca-certificates tzdata libstdc++6 zlib1g \
    && rm -rf /var/lib/apt/lists/*

# A fixed numeric uid/gid, so Kubernetes' runAsNonRoot can verify it (a user name cannot be checked).
RUN groupadd --gid 10001 gateway \
    && useradd --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin gateway \
    && mkdir -p /var/lib/llm-gateway \
    && chown 10001:10001 /var/lib/llm-gateway

COPY --from=build /staging/ /usr/local/bin/
COPY fixtures/ /app/fixtures/

# The embedded SQLite spend store goes to a writable folder (in Kubernetes: an emptyDir mounted there, since the root
# filesystem is read-only). With DATABASE_URL set, point general_settings.spend_spill_path there too.
ENV LITELLM_SQLITE_PATH=/var/lib/llm-gateway/litellm_proxy.sqlite \
    SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,swift-backtrace=/usr/local/bin/swift-backtrace-static

WORKDIR /app
USER 10001:10001
EXPOSE 4000
# SIGTERM (the default stop signal) drains in-flight requests and streams for --shutdown-grace-seconds (30).
ENTRYPOINT ["proxy"]
CMD ["--config", "/app/proxy_server_config.yaml", "--port", "4000"]
