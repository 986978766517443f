// Package crashtest proves, with the real `aidledger` binary running as a subprocess, that no
// accepted redemption is lost or paid twice: when the server is killed with SIGKILL in the
// middle of thousands of concurrent redemptions, and when its chain node goes away for a while.
//
// Everything is in the tests (go test ./server/crashtest); the package has no code of its own.
// Knobs (environment variables):
//
//	AIDLEDGER_CRASH_REDEMPTIONS  redemptions fired by the crash test (default 2500; 300 with -short)
//	AIDLEDGER_CRASH_PHONES       concurrent simulated phones (default 32)
//	AIDLEDGER_CRASH_KILLS        kill -9 / restart cycles (default 3)
//	AIDLEDGER_TEST_POSTGRES      also run the crash test on PostgreSQL (a fresh database)
//	AIDLEDGER_TEST_GETH          path of a geth binary: run the chain-outage test
package crashtest
