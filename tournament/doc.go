// Package tournament is the pure tournament engine: the types (Tournament,
// Round, Game, Event), the rules of the four formats (single and double
// elimination, round robin, Swiss), seeding, corrections, departures,
// standings, and Validate, which checks that a snapshot from outside is one
// the engine could have made.
//
// It is the only place the rules live. It does no I/O and reads no clock or
// randomness of its own: every change receives an Env with the time, the
// random source and the game timeout. Backends load a Tournament, Apply a
// Command to it and store the result; the engine guarantees that a Command
// that fails leaves the Tournament unchanged, and never modifies the
// Tournament it is given (a change shares what it does not touch with it,
// copy on write). Decided turns a command into the form that replays with
// the same outcome (what hosts log); Descends tells whether one snapshot
// can have grown out of another (what failback relies on).
package tournament
