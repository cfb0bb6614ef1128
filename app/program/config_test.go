package program

import (
	"io"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// flagCases sets every flag to a value other than its default, alone or with the flags it
// needs. Each case must give the same Config by flags and by environment variables.
var flagCases = [][]string{
	{"addr", "127.0.0.1:9"},
	{"data", "/srv/tabula/board.db"},
	{"allowed-origins", "https://a.example, https://b.example"},
	{"log-level", "debug"},
	{"log-format", "json"},
	{"max-elements", "7"},
	{"max-points", "7"},
	{"max-text", "7"},
	{"max-message", "2048"},
	{"max-image", "7"},
	{"max-queue", "7"},
	{"snapshot-every", "7"},
	{"max-streams-per-ip", "7"},
	{"max-sockets-per-ip", "7"},
	{"hello-timeout", "7s"},
	{"proxy-header", "X-Forwarded-For"},
	{"trusted-proxies", "10.0.0.0/8,192.0.2.1"},
	{"room-idle", "7s"},
	{"max-import", "7"},
	{"board-rate", "0"},
	{"board-rate", "7"},
	{"board-burst", "7"},
	{"image-rate", "0"},
	{"image-burst", "7"},
	{"op-rate", "0"},
	{"op-rate", "7"},
	{"op-burst", "7"},
	{"addr-op-rate", "7"},
	{"addr-op-burst", "7"},
	{"max-board-images", "7"},
	{"max-board-image-bytes", "7"},
	{"render-workers", "7"},
	{"render-queue", "7"},
	{"history-full", "7h"},
	{"trash-for", "0"},
	{"image-grace", "7h"},
	{"voice", "off"},
	{"voice-max", "7"},
	{"voice-udp", "127.0.0.1:50000"},
	{"voice-ports", "50000-50100"},
	{"voice-public-ip", "192.0.2.1,192.0.2.2"},
	{"voice-ice", "stun:stun.example.com:3478,turn:turn.example.com:3478"},
	{"voice-ice-user", "u"},
	{"voice-ice-password", "p"},
	{"voice-turn", ":3478", "voice-public-ip", "192.0.2.1"},
	{"voice-turn-secret", "s"},
	{"voice-turn-ttl", "1h"},
	{"voice-loopback", "on"},
	{"voice-turn-ports", "49160-49200"},
	{"admin-addr", "127.0.0.1:9"},
	{"admin-addr", "off"},
	{"tls-cert", "c.pem", "tls-key", "k.pem"},
	{"tls-domain", "a.example, b.example", "tls-email", "ops@example.com", "acme-directory", "https://acme.example/dir"},
	{"http-redirect-addr", ":8079", "tls-cert", "c.pem", "tls-key", "k.pem"},
	{"http-redirect-addr", "off", "tls-domain", "a.example"},
	{"access-log", "off"},
	{"redis", "redis://127.0.0.1:6379/0"},
	{"node-addr", "10.0.0.7:8080"},
}

// envName is the variable that goes with a flag.
func envName(flag string) string {
	if flag == "redis" {
		return "TABULA_REDIS_URL" // the name: the variable holds a URL
	}
	return "TABULA_" + strings.ReplaceAll(strings.ToUpper(flag), "-", "_")
}

func noEnv(string) string { return "" }

// TestFlagsAndVariables: every flag can also be set by its TABULA_* variable, with the
// same result, and says so in its help.
func TestFlagsAndVariables(t *testing.T) {
	def, err := ParseConfig(nil, noEnv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{"version": true} // -version has no variable
	for _, c := range flagCases {
		var args []string
		env := map[string]string{}
		for i := 0; i < len(c); i += 2 {
			args = append(args, "-"+c[i], c[i+1])
			env[envName(c[i])] = c[i+1]
			covered[c[i]] = true
		}
		t.Run(strings.Join(c, "="), func(t *testing.T) {
			byFlag, err := ParseConfig(args, noEnv, io.Discard)
			if err != nil {
				t.Fatalf("flags %q: %v", args, err)
			}
			byEnv, err := ParseConfig(nil, func(k string) string { return env[k] }, io.Discard)
			if err != nil {
				t.Fatalf("environment %v: %v", env, err)
			}
			if !reflect.DeepEqual(byFlag, byEnv) {
				t.Errorf("flags %q and environment %v differ:\n%+v\n%+v", args, env, byFlag, byEnv)
			}
			if reflect.DeepEqual(byFlag, def) {
				t.Errorf("flags %q change nothing", args)
			}
		})
	}

	var usage strings.Builder
	if _, err := ParseConfig([]string{"-h"}, noEnv, &usage); err == nil {
		t.Fatal("-h: no flag.ErrHelp")
	}
	flags := regexp.MustCompile(`(?m)^  -([a-z-]+)`).FindAllStringSubmatch(usage.String(), -1)
	if len(flags) < len(covered) {
		t.Fatalf("usage lists %d flags, fewer than the %d tested:\n%s", len(flags), len(covered), usage.String())
	}
	for _, f := range flags {
		name := f[1]
		if !covered[name] {
			t.Errorf("-%s has no case in flagCases", name)
		}
		if name != "version" && !strings.Contains(usage.String(), "($"+envName(name)+")") {
			t.Errorf("the help of -%s does not name $%s", name, envName(name))
		}
	}
}

// TestFlagsWinOverVariables: a flag given on the command line wins over its variable.
func TestFlagsWinOverVariables(t *testing.T) {
	env := map[string]string{"TABULA_ADDR": ":1", "TABULA_MAX_ELEMENTS": "5", "TABULA_VOICE": "off", "TABULA_ADMIN_ADDR": "off"}
	c, err := ParseConfig([]string{"-addr", ":2", "-max-elements", "6", "-voice", "on", "-admin-addr", "127.0.0.1:9"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":2" || c.Limits.MaxElements != 6 || c.Voice.Off || c.Ops.AdminAddr != "127.0.0.1:9" {
		t.Errorf("got addr %q, max-elements %d, voice off %v, admin %q; want the flags' values", c.Addr, c.Limits.MaxElements, c.Voice.Off, c.Ops.AdminAddr)
	}
}

// TestBadValues: a value that cannot work is refused with the flag's or variable's name.
func TestBadValues(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{env: map[string]string{"TABULA_MAX_ELEMENTS": "many"}, want: `$TABULA_MAX_ELEMENTS must be a positive integer, not "many"`},
		{env: map[string]string{"TABULA_RENDER_WORKERS": "0"}, want: `$TABULA_RENDER_WORKERS must be a positive integer, not "0"`},
		{env: map[string]string{"TABULA_BOARD_RATE": "-1"}, want: `$TABULA_BOARD_RATE must be 0 or a positive integer, not "-1"`},
		{args: []string{"-image-rate", "-1"}, want: "-image-rate must be 0 (no limit) or more"},
		{args: []string{"-room-idle", "soon"}, want: `-room-idle must be a duration like 5s, not "soon"`},
		{env: map[string]string{"TABULA_TRASH_FOR": "-1h"}, want: `-trash-for must be a duration like 720h, not "-1h"`},
		{args: []string{"-log-level", "loud"}, want: `-log-level must be debug, info, warn or error, not "loud"`},
		{args: []string{"-max-message", "10"}, want: "-max-message at least 1024"},
		{env: map[string]string{"TABULA_VOICE": "maybe"}, want: `-voice must be on or off, not "maybe"`},
		{args: []string{"-voice-max", "0"}, want: `-voice-max must be a positive integer, not "0"`},
		{args: []string{"-voice-turn", ":3478"}, want: "-voice-turn needs -voice-public-ip"},
		{env: map[string]string{"TABULA_ACCESS_LOG": "sometimes"}, want: `-access-log must be on or off, not "sometimes"`},
		{args: []string{"-tls-cert", "c.pem"}, want: "-tls-cert and -tls-key go together"},
		{args: []string{"-admin-addr", "8081"}, want: "-admin-addr must be host:port"},
		{args: []string{"extra"}, want: `unexpected argument "extra"`},
	} {
		_, err := ParseConfig(tc.args, func(k string) string { return tc.env[k] }, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q %v: error %v, want one containing %q", tc.args, tc.env, err, tc.want)
		}
	}
}
