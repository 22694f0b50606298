// Wrapper module: builds the etcd server. go.etcd.io/etcd/server/v3 has replace lines in its go.mod, which
// `go install mod@version` refuses; requiring it from this module ignores them (its requires are exact versions).
module gauntlet.dev/build/etcd

go 1.26.0

require go.etcd.io/etcd/server/v3 v3.6.16
