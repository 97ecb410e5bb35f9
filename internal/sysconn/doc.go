// Package sysconn gives TCP connections whose reads and writes are raw
// non-blocking system calls made through the runtime's poller, for the
// servers that answer many small requests on a busy machine: the data
// plane's client and upstream connections and the API server's.
package sysconn
