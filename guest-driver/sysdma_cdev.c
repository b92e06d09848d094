// SPDX-License-Identifier: GPL-2.0
/*
 * sysdma: /dev/sysdma0, the user interface of uapi/sysdma.h.
 *
 * Each open file owns the requests it submitted (an xarray by id).  A
 * request stays there until WAIT collects it or the file is closed; close
 * cancels what is still running and waits for it (the buffers are pinned
 * until then).
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>
#include "sysdma_core.h"
#include "sysdma_request.h"
#include "sysdma_txn.h"

/*
 * U-cap: requests one file may own at a time (submitted and not yet
 * collected by WAIT, plus read()/write() calls in progress).  Beyond it
 * SUBMIT, read() and write() fail with EAGAIN.
 */
static unsigned int sdma_param_max_file_requests = 1024;
module_param_named(max_file_requests, sdma_param_max_file_requests, uint,
		   0644);
MODULE_PARM_DESC(max_file_requests,
		 "requests one open file may own at a time (EAGAIN beyond)");

/* the test hooks of uapi/sysdma.h: CAP_SYS_ADMIN only */
#define SDMA_F_HOLDS	(SYSDMA_F_HOLD_CHANNEL | SYSDMA_F_HOLD_PROGRAM | \
			 SYSDMA_F_HOLD_BETWEEN | SYSDMA_F_HOLD_GRANTED | \
			 SYSDMA_F_HOLD_PROGRAMMED)

struct sdma_file {
	struct sdma_dev *sd;
	struct xarray reqs;		/* id -> struct sdma_req */
	wait_queue_head_t wq;		/* a request finished */
	atomic_t nreqs;			/* owned requests (the cap) */
};

/* Take one of the file's request slots; false: the cap is reached. */
static bool sdma_file_take_slot(struct sdma_file *f)
{
	if (atomic_inc_return(&f->nreqs) <=
	    (int)READ_ONCE(sdma_param_max_file_requests))
		return true;
	atomic_dec(&f->nreqs);
	return false;
}

static void sdma_file_put_slot(struct sdma_file *f)
{
	atomic_dec(&f->nreqs);
}

/* a request of this file is done: wake WAIT and poll (request layer) */
static void sdma_file_req_done(void *ctx)
{
	struct sdma_file *f = ctx;

	wake_up_all(&f->wq);
}

static struct sdma_req *sdma_file_lookup(struct sdma_file *f, u64 id)
{
	struct sdma_req *req;

	if (!id || id > ULONG_MAX)
		return NULL;
	xa_lock(&f->reqs);
	req = xa_load(&f->reqs, id);
	if (req)
		sdma_req_get(req);
	xa_unlock(&f->reqs);
	return req;
}

static int sdma_open(struct inode *inode, struct file *file)
{
	struct sdma_dev *sd = container_of(file->private_data,
					   struct sdma_dev, misc);
	struct sdma_file *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->sd = sd;
	xa_init(&f->reqs);
	init_waitqueue_head(&f->wq);
	atomic_set(&f->nreqs, 0);
	sdma_dev_get(sd);
	file->private_data = f;
	return nonseekable_open(inode, file);
}

/* close(): cancel what still runs (R6), wait for it, free everything. */
static int sdma_release(struct inode *inode, struct file *file)
{
	struct sdma_file *f = file->private_data;
	struct sdma_req *req;
	unsigned long idx;

	xa_for_each(&f->reqs, idx, req)
		sdma_req_request_cancel(req, SDMA_STATUS_CANCELLED);
	xa_for_each(&f->reqs, idx, req) {
		while (!wait_for_completion_timeout(&req->done, 10 * HZ))
			dev_warn(f->sd->dev, "close: request %llu still running\n",
				 req->id);
		/* its completion work wakes f->wq after done: f is freed below */
		flush_work(&req->complete_work);
		xa_erase(&f->reqs, idx);
		sdma_req_put(req);
	}
	xa_destroy(&f->reqs);
	sdma_dev_put(f->sd);
	kfree(f);
	return 0;
}

/*
 * Cancel a request the caller owns (not in the file's table), wait for it
 * and drop the caller's reference.  Its completion work wakes f->wq after
 * done: let it finish before f can go away.
 */
static void sdma_req_reap(struct sdma_req *req)
{
	sdma_req_request_cancel(req, SDMA_STATUS_CANCELLED);
	wait_for_completion(&req->done);
	flush_work(&req->complete_work);
	sdma_req_put(req);
}

/*
 * SUBMIT: an EFAULT never leaves a request behind.  The id field is written
 * (0) before anything starts, so a read-only struct fails at once; should
 * the id still not reach the caller (another thread unmapped the struct
 * meanwhile), the request is cancelled and taken back from the table.
 */
static long sdma_ioc_submit(struct sdma_file *f, void __user *arg)
{
	struct sysdma_submit __user *us = arg;
	struct sdma_dev *sd = f->sd;
	struct sdma_req_params p;
	struct sysdma_submit s;
	struct sdma_req *req;
	int ret;

	if (copy_from_user(&s, us, sizeof(s)))
		return -EFAULT;
	s.id = 0;
	if (copy_to_user(&us->id, &s.id, sizeof(s.id)))
		return -EFAULT;
	/* the test hooks park requests and channels: privileged */
	if ((s.flags & SDMA_F_HOLDS) && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (!sdma_file_take_slot(f))
		return -EAGAIN;
	p.src = s.src;
	p.dst = s.dst;
	p.len = s.len;
	p.dir = s.dir;
	p.timeout_ms = s.timeout_ms;
	p.channel = s.channel;
	p.flags = s.flags;
	p.seed = s.seed;
	p.max_transfer = s.max_transfer;
	p.notify = sdma_file_req_done;
	p.notify_ctx = f;

	down_read(&sd->gate);
	ret = sd->dead ? -ENODEV : sdma_req_submit(sd, &p, &req);
	up_read(&sd->gate);
	if (ret) {
		sdma_file_put_slot(f);
		return ret;
	}
	/*
	 * The caller's reference now belongs to the file's table: once
	 * stored, a WAIT in another thread may collect and free req.
	 */
	s.id = req->id;
	ret = xa_err(xa_store(&f->reqs, s.id, req, GFP_KERNEL));
	if (ret) {
		sdma_req_reap(req);
		sdma_file_put_slot(f);
		return ret;
	}
	if (!copy_to_user(&us->id, &s.id, sizeof(s.id)))
		return 0;
	/* take it back, unless a WAIT that guessed the id collected it */
	if (xa_cmpxchg(&f->reqs, s.id, req, NULL, GFP_KERNEL) == req) {
		sdma_req_reap(req);
		sdma_file_put_slot(f);
	}
	return -EFAULT;
}

static void sdma_user_cancel(struct sdma_req *req)
{
	sdma_req_request_cancel(req, SDMA_STATUS_CANCELLED);
}

/* CANCEL, RELEASE: @act on the request whose id @arg points to */
static long sdma_ioc_by_id(struct sdma_file *f, void __user *arg,
			   void (*act)(struct sdma_req *req))
{
	struct sdma_req *req;
	u64 id;

	if (get_user(id, (u64 __user *)arg))
		return -EFAULT;
	req = sdma_file_lookup(f, id);
	if (!req)
		return -ENOENT;
	act(req);
	sdma_req_put(req);
	return 0;
}

static long sdma_ioc_wait(struct sdma_file *f, void __user *arg)
{
	struct sysdma_result r;
	struct sdma_req *req;
	long ret;

	if (copy_from_user(&r, arg, sizeof(r)))
		return -EFAULT;
	req = sdma_file_lookup(f, r.id);
	if (!req)
		return -ENOENT;
	if (r.timeout_ms) {
		ret = wait_event_interruptible_timeout(f->wq,
						       sdma_req_is_done(req),
						       msecs_to_jiffies(r.timeout_ms));
		if (!ret)
			ret = -EAGAIN;
	} else {
		ret = wait_event_interruptible(f->wq, sdma_req_is_done(req));
	}
	if (ret < 0)
		goto out;
	/*
	 * done is published before the completion work wakes f->wq: let it
	 * finish, or a close() right after this WAIT frees f under it.
	 */
	flush_work(&req->complete_work);
	/*
	 * Copy the result out first and collect only when that worked: an
	 * EFAULT leaves the request in the table for a WAIT with a good
	 * buffer.  Of concurrent waiters exactly one collects it; the others
	 * get ENOENT (whatever was copied into their buffers).
	 */
	r = req->res;
	if (copy_to_user(arg, &r, sizeof(r))) {
		ret = -EFAULT;
		goto out;
	}
	if (xa_cmpxchg(&f->reqs, req->id, req, NULL, GFP_KERNEL) != req) {
		ret = -ENOENT;
		goto out;
	}
	sdma_req_put(req);	/* the table's reference */
	sdma_file_put_slot(f);
	ret = 0;
out:
	sdma_req_put(req);
	return ret;
}

static long sdma_ioc_query(struct sdma_file *f, void __user *arg)
{
	struct sysdma_query q;
	struct sdma_req *req;

	if (copy_from_user(&q, arg, sizeof(q)))
		return -EFAULT;
	req = sdma_file_lookup(f, q.id);
	if (!req)
		return -ENOENT;
	q.done = sdma_req_is_done(req);
	q.held = q.done ? 0 : sdma_req_held_at(req);
	/* after completion the transaction is released: report its end */
	q.state = q.done ? req->final_state : sdma_txn_get_state(req->txn);
	q.bytes = sdma_txn_get_bytes_transferred(req->txn);
	q.transfers = READ_ONCE(req->txn->transfers);
	q.channel = sdma_txn_get_channel(req->txn);
	q.reserved = 0;
	sdma_req_put(req);
	return copy_to_user(arg, &q, sizeof(q)) ? -EFAULT : 0;
}

static long sdma_ioc_stats(struct sdma_file *f, void __user *arg)
{
	struct sysdma_stats s;
	unsigned int i;

	memset(&s, 0, sizeof(s));
	s.count = SYSDMA_STAT_COUNT_V1;
	for (i = 0; i < s.count; i++)
		s.v[i] = atomic64_read(&f->sd->stats[i]);
	return copy_to_user(arg, &s, sizeof(s)) ? -EFAULT : 0;
}

static long sdma_ioc_fault(struct sdma_file *f, void __user *arg)
{
	struct sdma_dev *sd = f->sd;
	struct sysdma_fault flt;
	long ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&flt, arg, sizeof(flt)))
		return -EFAULT;
	if ((flt.mode | flt.sticky) & ~SYSDMA_FAULT_ALL)
		return -EINVAL;
	down_read(&sd->gate);
	ret = sd->dead ? -ENODEV :
		sdma_adapter_set_fault(&sd->adapter, flt.channel, flt.mode,
				       flt.sticky, flt.error_after,
				       flt.delay_us, flt.slow_rate);
	up_read(&sd->gate);
	return ret;
}

static long sdma_ioc_selftest(struct sdma_file *f, void __user *arg)
{
	struct sdma_dev *sd = f->sd;
	struct sysdma_selftest *st;
	long ret = 0;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	/* like SUBMIT: a result that cannot be written runs nothing */
	if (clear_user(arg, sizeof(*st)))
		return -EFAULT;
	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	/*
	 * The self-tests allocate every channel and drive the adapter
	 * directly: they need the device to themselves.  The gate held for
	 * writing keeps every SUBMIT, read(), write(), FAULT and the
	 * removal out while they run; a request still in flight (or a
	 * channel owned by anybody) makes it EBUSY.
	 */
	down_write(&sd->gate);
	if (sd->dead)
		ret = -ENODEV;
	else if (!sdma_req_none_in_flight(sd) ||
		 sdma_adapter_free_channels(&sd->adapter) !=
		 sd->adapter.nr_channels)
		ret = -EBUSY;
	else
		sdma_selftest_run(sd, st);
	up_write(&sd->gate);
	if (!ret && copy_to_user(arg, st, sizeof(*st)))
		ret = -EFAULT;
	kfree(st);
	return ret;
}

static long sdma_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct sdma_file *f = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case SYSDMA_IOC_SUBMIT:
		return sdma_ioc_submit(f, uarg);
	case SYSDMA_IOC_CANCEL:
		return sdma_ioc_by_id(f, uarg, sdma_user_cancel);
	case SYSDMA_IOC_WAIT:
		return sdma_ioc_wait(f, uarg);
	case SYSDMA_IOC_RELEASE:
		return sdma_ioc_by_id(f, uarg, sdma_req_release_holds);
	case SYSDMA_IOC_STATS:
		return sdma_ioc_stats(f, uarg);
	case SYSDMA_IOC_FAULT:
		return sdma_ioc_fault(f, uarg);
	case SYSDMA_IOC_SELFTEST:
		return sdma_ioc_selftest(f, uarg);
	case SYSDMA_IOC_QUERY:
		return sdma_ioc_query(f, uarg);
	default:
		return -ENOTTY;
	}
}

/* EPOLLIN: a request of this file finished and was not collected yet. */
static __poll_t sdma_poll(struct file *file, poll_table *wait)
{
	struct sdma_file *f = file->private_data;
	struct sdma_req *req;
	unsigned long idx;
	__poll_t mask = 0;

	poll_wait(file, &f->wq, wait);
	xa_lock(&f->reqs);
	xa_for_each(&f->reqs, idx, req) {
		if (sdma_req_is_done(req)) {
			mask = EPOLLIN | EPOLLRDNORM;
			break;
		}
	}
	xa_unlock(&f->reqs);
	return mask;
}

/*
 * read() / write(): one synchronous P2M / M2P transfer on any channel
 * (pattern seed 0, timeout rw_timeout_ms).  A signal cancels the request
 * (R6) and waits for it to end: bytes already moved are returned as a
 * short count; with none, -ERESTARTSYS (the call restarts under
 * SA_RESTART, else fails with EINTR).  Errors: ETIMEDOUT, EIO, ENODEV,
 * EFAULT, EINVAL.
 */
static ssize_t sdma_rw(struct file *file, u64 ubuf, size_t count, bool wr)
{
	struct sdma_file *f = file->private_data;
	struct sdma_dev *sd = f->sd;
	struct sdma_req_params p = {
		.dir = wr ? SYSDMA_DEV_DIR_M2P : SYSDMA_DEV_DIR_P2M,
		.src = wr ? ubuf : 0,
		.dst = wr ? 0 : ubuf,
		.len = min_t(u64, count, sdma_param_max_request),
		.timeout_ms = sdma_param_rw_timeout_ms,
		.channel = SYSDMA_ANY_CHANNEL,
	};
	struct sysdma_result res;
	bool interrupted = false;
	struct sdma_req *req;
	int ret;

	if (!count)
		return 0;
	if (!ubuf)
		return -EFAULT;	/* 0 would mean "no buffer" to the submit check */
	if (!sdma_file_take_slot(f))
		return -EAGAIN;
	down_read(&sd->gate);
	ret = sd->dead ? -ENODEV : sdma_req_submit(sd, &p, &req);
	up_read(&sd->gate);
	if (ret) {
		sdma_file_put_slot(f);
		return ret;
	}
	if (wait_for_completion_interruptible(&req->done)) {
		interrupted = true;
		sdma_req_request_cancel(req, SDMA_STATUS_CANCELLED);
		wait_for_completion(&req->done);
	}
	res = req->res;
	sdma_req_put(req);
	sdma_file_put_slot(f);
	if (res.bytes)
		return res.bytes;
	if (interrupted && res.error == ECANCELED)
		return -ERESTARTSYS;
	return -(int)res.error;
}

static ssize_t sdma_read(struct file *file, char __user *buf, size_t count,
			 loff_t *ppos)
{
	return sdma_rw(file, (u64)(uintptr_t)buf, count, false);
}

static ssize_t sdma_write(struct file *file, const char __user *buf,
			  size_t count, loff_t *ppos)
{
	return sdma_rw(file, (u64)(uintptr_t)buf, count, true);
}

const struct file_operations sdma_fops = {
	.owner = THIS_MODULE,
	.open = sdma_open,
	.release = sdma_release,
	.unlocked_ioctl = sdma_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.poll = sdma_poll,
	.read = sdma_read,
	.write = sdma_write,
	.llseek = no_llseek,
};
