// Package demo fills an empty database with a realistic demo organisation:
// the six departments of the seed strategy plus two service departments,
// staff in every role, categories, service projects and a year of cases in
// every status, in Chinese and English.
//
// Every case is created and moved through the workflow service, exactly as
// the API would, so that timelines, deadlines and the events' hash chains
// are genuine. A clock owned by the loader stands in for time: each case is
// received at its historical moment and every later step happens hours or
// days after the one before, never after Options.Now. The content is
// deterministic for a given Options.Seed (apart from tracking-code PINs,
// which the workflow draws at random).
package demo
