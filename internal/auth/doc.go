// Package auth signs staff in and tells who is calling.
//
// Staff sign in with a username and a password (bcrypt) and receive a
// signed JWT (HS256) that names their staff ID, role and department. The
// HTTP middleware verifies the token of each request and puts the caller,
// as a policy.Subject, into the request context; requests without a token
// are anonymous (the public pages). Petitioners never sign in: they prove
// access to one case with its tracking code and PIN, which the workflow
// checks.
package auth
