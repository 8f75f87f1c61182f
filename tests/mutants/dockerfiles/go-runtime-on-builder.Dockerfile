# MUTANT: the runtime stage starts from the Go builder image: the toolchain ships
# Story 1.2's Dockerfile, with its two base images as build args (defaults: the story's
# images) so that a site without a registry can build it on stand-ins.
ARG GO_IMAGE=golang:1.24-alpine
ARG ALPINE_IMAGE=alpine:3.21

# Stage 1: Build
FROM ${GO_IMAGE} AS builder

WORKDIR /build

# Copy dependency files first for caching
COPY go.mod go.sum ./
RUN go mod download

# Copy source code
COPY . .

# Build static binary
RUN CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build \
    -ldflags="-w -s" \
    -a \
    -installsuffix cgo \
    -o api ./cmd/api

# Stage 2: Minimal runtime
FROM ${GO_IMAGE}

WORKDIR /app

COPY --from=builder /build/api .

EXPOSE 3000

CMD ["./api"]
