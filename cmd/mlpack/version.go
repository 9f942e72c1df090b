package main

import (
	"runtime/debug"

	"github.com/urfave/cli/v2"
)

func readBuildInfo() *debug.BuildInfo {
	bi, _ := debug.ReadBuildInfo()
	return bi
}

// versionString derives the version from build information: the module
// version when installed with go install, else the VCS revision.
func versionString(bi *debug.BuildInfo) string {
	if bi == nil {
		return "devel"
	}
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "-dirty"
			}
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		v += " (" + rev + modified + ")"
	}
	return v
}

func versionCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the mlpack version",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print {\"version\": ..., \"go\": ...}"}},
		Action: func(c *cli.Context) error {
			bi := readBuildInfo()
			v := versionString(bi)
			if c.Bool("json") {
				goVersion := ""
				if bi != nil {
					goVersion = bi.GoVersion
				}
				return e.printJSON(map[string]string{"version": v, "go": goVersion})
			}
			_, err := e.Stdout.Write([]byte(v + "\n"))
			return err
		},
	}
}
