// Package graphiql serves the GraphiQL IDE for the xinfang GraphQL API.
//
// Everything the page needs (React, ReactDOM and the GraphiQL UMD bundle
// with its stylesheet) is vendored under assets/ and embedded into the
// binary with go:embed, so the IDE works offline, behind firewalls and in
// air-gapped deployments: the browser never loads anything from a CDN, and
// the page's Content-Security-Policy forbids it from doing so. The vendored
// files are the unmodified npm release builds; assets/VERSIONS.txt names
// their versions, licenses (MIT) and checksums, and update-assets.sh
// re-downloads them with `npm pack` so they can be reproduced or upgraded.
//
// Handler serves the page at "/" and the assets under "/graphiql/assets/"
// (see AssetsPath). The page refers to the assets by relative URLs, so the
// handler may also be mounted below a prefix with http.StripPrefix as long
// as the page is reached with a trailing slash. Mount the same handler on
// both paths:
//
//	ide := graphiql.Handler("/graphql")
//	mux.Handle("/{$}", ide)            // the page, only the exact path "/"
//	mux.Handle(graphiql.AssetsPath, ide) // "/graphiql/assets/"
//
// Mounting it on "/" alone also works, but then it answers 404 for every
// path no other pattern claims.
//
// The GraphQL endpoint is used for queries and mutations over HTTP, and the
// same path over ws:// or wss:// (matching the page's scheme) for
// subscriptions. The headers editor is enabled so that an Authorization
// header can be sent, e.g. {"Authorization": "Bearer <token>"}; headers are
// not persisted in the browser's storage.
package graphiql
