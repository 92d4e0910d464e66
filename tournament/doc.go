// Package tournament is the pure tournament engine: types, rules, seeding and
// bracket progression for single-elimination tournaments.
//
// It is the only place the rules live. It does no I/O and reads no clock or
// randomness of its own: every change receives an Env with the time, the
// random source and the game timeout. Backends load a Tournament, Apply a
// Command to it and store the result; the engine guarantees that a Command
// that fails leaves the Tournament unchanged.
package tournament
