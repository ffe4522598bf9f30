// Package policy makes the decisions an organisation wants to change
// without touching the workflow: who may do what (Authorizer), which
// department handles a new case (Router) and by when each step is due
// (Deadlines).
//
// The workflow and the GraphQL resolvers ask these interfaces and never
// decide themselves. The implementations here are the built-in defaults of
// the seed strategy: a role table, routing by category and service project
// with the intake department as fallback, and a fixed 48-hour response
// limit. The policy-engine work replaces them with OPA (Rego) policies
// behind the same interfaces.
package policy
