// Package archtest holds the tests that guard the shape of the code base:
// the dependency direction between mlpack's packages and the rule that every
// package carries a doc comment. It has no code of its own.
package archtest
