# MUTANT: the story's Go build without -ldflags "-w -s"
# Stage 1: Build
FROM golang:1.24-alpine AS builder

WORKDIR /build

# Copy dependency files first for caching
COPY go.mod go.sum ./
RUN go mod download

# Copy source code
COPY . .

# Build static binary
RUN CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build \
    -a \
    -installsuffix cgo \
    -o api ./cmd/api

# Stage 2: Minimal runtime
FROM alpine:3.21

RUN apk --no-cache add ca-certificates

WORKDIR /app

COPY --from=builder /build/api .

EXPOSE 3000

CMD ["./api"]
