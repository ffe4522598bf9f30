package xinfang

// Code generation runs in this order: entc writes the ent client and
// graph/schema/ent.graphql, then gqlgen reads every graph/schema/*.graphql
// and writes the GraphQL executor. Both lines live here because
// `go generate ./...` visits packages alphabetically.
//
//go:generate go run -mod=mod ./ent/entc.go
//go:generate go tool gqlgen generate --config gqlgen.yml
//go:generate go run ./graph/sdl -out docs/schema.graphql
