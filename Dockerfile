# syntax=docker/dockerfile:1
# Build a static xinfang binary, then ship it alone on a distroless base
# that runs as a non-root user.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/xinfang ./cmd/xinfang
# The data directory must belong to the runtime user: a volume mounted at
# a path the image lacks is created root-owned, and nonroot could not
# write the embedded database there. (Copied as an entry of /out/root so
# that the directory itself, not only its contents, gets the owner.)
RUN mkdir -p /out/root/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/xinfang /usr/local/bin/xinfang
COPY --from=build --chown=65532:65532 /out/root/ /
# The embedded database and generated keys live here when no PostgreSQL
# URL and secrets are configured.
ENV XINFANG_DATA_DIR=/data
VOLUME ["/data"]
USER nonroot:nonroot
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --retries=3 CMD ["xinfang", "health"]
ENTRYPOINT ["xinfang"]
CMD ["serve"]
