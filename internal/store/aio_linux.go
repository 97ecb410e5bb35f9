//go:build linux && (amd64 || arm64)

package store

import (
	"os"
	"runtime"
	"sync"
	"syscall"
	"unsafe"
)

// An fdatasync blocks its thread for as long as the disk takes to flush
// (0.3–0.6 ms here). The Go runtime counts such a thread as holding its
// processor, so its monitor (sysmon) takes the processor back, hands it to
// another thread, and keeps polling every 20 µs while syncs keep coming:
// under durable writes that was 11% of vpce's CPU. Through Linux AIO
// (IOCB_CMD_FDSYNC, Linux 4.18+), the kernel runs the same fdatasync on a
// worker of its own; the caller waits on an eventfd through the runtime's
// poller, parked like a goroutine reading a socket, and the processor
// serves other goroutines meanwhile.

func init() { aioSync = (&aio{}).sync }

// aio is one AIO context and the eventfd its completions signal; one sync
// is in flight at a time (the log's committer is the only frequent
// caller).
type aio struct {
	mu     sync.Mutex
	once   sync.Once
	ctx    uintptr
	efd    int             // the eventfd
	done   *os.File        // efd, kept open
	rc     syscall.RawConn // done's, read through the poller (its Fd would block it)
	failed bool            // no AIO here: fdatasync from now on
}

// iocb is struct iocb of linux/aio_abi.h (little-endian layout).
type iocb struct {
	data      uint64
	key       uint32
	rwFlags   int32
	opcode    uint16
	reqprio   int16
	fildes    uint32
	buf       uint64
	nbytes    uint64
	offset    int64
	reserved2 uint64
	flags     uint32
	resfd     uint32
}

// ioEvent is struct io_event.
type ioEvent struct {
	data, obj uint64
	res, res2 int64
}

const (
	iocbCmdFdsync = 3
	iocbFlagResfd = 1
)

func (a *aio) setup() {
	efd, _, errno := syscall.Syscall(syscall.SYS_EVENTFD2, 0, syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if errno != 0 {
		a.failed = true
		return
	}
	if _, _, errno := syscall.Syscall(syscall.SYS_IO_SETUP, 1, uintptr(unsafe.Pointer(&a.ctx)), 0); errno != 0 {
		syscall.Close(int(efd))
		a.failed = true
		return
	}
	// A non-blocking descriptor: os.NewFile puts it in the runtime poller.
	a.efd = int(efd)
	a.done = os.NewFile(efd, "aio-eventfd")
	rc, err := a.done.SyscallConn()
	if err != nil {
		a.failed = true
		return
	}
	a.rc = rc
}

// sync runs fdatasync on f through AIO and waits for it; ok is false when
// AIO could not take it (not set up here, or refused at submission).
func (a *aio) sync(f *os.File) (err error, ok bool) {
	a.once.Do(a.setup)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.failed {
		return nil, false
	}
	cb := &iocb{opcode: iocbCmdFdsync, fildes: uint32(f.Fd()), flags: iocbFlagResfd, resfd: uint32(a.efd)}
	cbs := [1]*iocb{cb}
	for {
		// Raw: an fdatasync is queued to a kernel worker, not run here.
		n, _, errno := syscall.RawSyscall(syscall.SYS_IO_SUBMIT, a.ctx, 1, uintptr(unsafe.Pointer(&cbs[0])))
		if errno == syscall.EINTR {
			continue
		}
		if errno != 0 || n != 1 {
			return nil, false // not submitted (EAGAIN included): fdatasync gives the real answer
		}
		break
	}
	runtime.KeepAlive(cb)
	if err := a.wait(); err != nil {
		// Submitted and not waited for: this context is not reused.
		a.failed = true
		return err, true
	}
	// The completion is in the ring before the eventfd is signalled, so
	// a look without waiting finds it.
	var ev ioEvent
	for atLeast := uintptr(0); ; atLeast = 1 {
		get := syscall.RawSyscall6
		if atLeast > 0 {
			get = syscall.Syscall6 // not found at once: wait as a blocking call
		}
		got, _, errno := get(syscall.SYS_IO_GETEVENTS, a.ctx, atLeast, 1, uintptr(unsafe.Pointer(&ev)), 0, 0)
		if errno == syscall.EINTR {
			continue
		}
		if errno != 0 {
			a.failed = true
			return errno, true
		}
		if got == 1 {
			break
		}
	}
	if ev.res < 0 {
		return syscall.Errno(-ev.res), true
	}
	return nil, true
}

// wait reads the eventfd through the runtime poller: parked until a
// completion signals it. The read itself is a raw system call (it never
// blocks): the runtime's monitor sleeps while every processor is idle, and
// a system call made through its bookkeeping wakes it into polling every
// 20 µs for the next millisecond — with one sync every half millisecond,
// for good.
func (a *aio) wait() error {
	var n [8]byte
	var errno syscall.Errno
	if err := a.rc.Read(func(fd uintptr) bool {
		for {
			_, _, errno = syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&n[0])), uintptr(len(n)))
			if errno != syscall.EINTR {
				return errno != syscall.EAGAIN // false: wait for the poller
			}
		}
	}); err != nil {
		return err
	}
	if errno != 0 {
		return errno
	}
	return nil
}
