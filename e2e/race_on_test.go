//go:build race

package e2e

// raceBuild: the tests run with -race, and so does the tabula binary they build.
const raceBuild = true
