package serve

import (
	"regexp"
	"strings"
)

// internalPrefix matches the "pkg: " prefixes and sentinel texts that
// errors collect on their way up through mlpack's packages ("task: invalid
// request: signature: invalid input: ..."). They help in the server log
// but tell an HTTP client nothing; clientText drops them.
var internalPrefix = regexp.MustCompile(`(^|: )(?:(?:serve|task|signature|generate|runtime|tokenizer|template|openai|mlflow|llama|kernels|flavor|safetensors|invalid request|invalid input|invalid params|invalid parameters): )+`)

// clientText is err's message as an HTTP client should see it: the
// package chain removed, the specific part (field, what was expected)
// kept. The server logs the full chain.
func clientText(err error) string {
	if err == nil {
		return ""
	}
	return strings.TrimSpace(internalPrefix.ReplaceAllString(err.Error(), "$1"))
}
