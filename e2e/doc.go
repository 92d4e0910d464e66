// Package e2e holds the end-to-end tests: the real binaries, launched as a
// user would, talking real HTTP on loopback.
package e2e
