# The Lifeboat ISO builder as a container image: Debian 13, mmdebstrap, Node and the Lifeboat app. Running it builds
# the live ISO into /out from /config.json (if mounted) or the default config. See README.md, "Building the ISO in
# Docker", for the privileges (and why), the cache volume and SOURCE_DATE_EPOCH.
#
#   docker build -t lifeboat-builder .
#   docker run --rm --cap-add SYS_ADMIN --security-opt seccomp=docker/seccomp.json -v "$PWD/out:/out" lifeboat-builder
#   (on hosts with AppArmor also --security-opt apparmor=unconfined)
#
# BASE: no registry is needed; scripts/docker-base makes lifeboat-base:trixie with mmdebstrap. With a registry,
# --build-arg BASE=debian:trixie works the same.
ARG BASE=lifeboat-base:trixie
FROM ${BASE}

# mmdebstrap bootstraps the tools tree and the live root; Node runs the builder (Debian 13's Node 20: the ISO embeds
# its own Node LTS from npm); python3, make, g++ and Node's headers compile node-pty for this Node during npm ci.
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends mmdebstrap ca-certificates nodejs npm libnode-dev python3 make g++ \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/*

# EXTRA_CA_CERTS: PEM certificates to trust besides Debian's (a TLS-inspecting proxy between the build and the npm
# registry); empty by default.
ARG EXTRA_CA_CERTS=""
RUN if [ -n "$EXTRA_CA_CERTS" ]; then \
      printf '%s\n' "$EXTRA_CA_CERTS" > /usr/local/share/ca-certificates/lifeboat-extra.crt && update-ca-certificates; \
    fi
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt

WORKDIR /app
ENV npm_config_nodedir=/usr npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
 && ln -s /app/dist/bundle/lifeboat.mjs /usr/local/bin/lifeboat \
 && chmod 755 docker/entrypoint

# The build's tools run in bubblewrap sandboxes inside the container; the container's own network namespace already
# separates them from the host, so they share it (a fresh one would need CAP_NET_ADMIN for its loopback).
ENV LIFEBOAT_IN_CONTAINER=1
# The cache (tools tree, bootstrapped root, Node download): mount a volume here to keep it between runs.
VOLUME /var/cache/lifeboat
ENTRYPOINT ["/app/docker/entrypoint"]
