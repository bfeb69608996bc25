// ProcessGroup — the processes of one data-parallel job, over Open MPI (MPI_COMM_WORLD).
//
// ProcessGroup::world() is this process's group. Started by mpirun (Open MPI's launcher sets
// OMPI_COMM_WORLD_SIZE), the first call initialises MPI (MPI_THREAD_SERIALIZED) and MPI is
// finalised when the process exits normally; started any other way, it is a group of one that
// never calls MPI: every collective below is then the identity, at no cost.
//
// Collectives (every rank must call the same ones, in the same order, with tensors of the same
// shape and dtype; that is MPI's contract, and a mismatch is not detected):
//   all_reduce(t, op)        in place on a contiguous float32 / float64 CPU tensor: the sum over
//                            the ranks, or the average (sum, then divided by size()). The
//                            reduction order is MPI's and fixed for a given size and world, so a
//                            run repeated gives bit-identical results.
//   all_reduce_async(t, op)  the same, started on the group's communication thread; the returned
//                            Work's wait() blocks until it finished (and rethrows its error). The
//                            caller must not touch t until then. Collectives run in the order they
//                            were started.
//   broadcast(t, root)       in place: every rank gets root's values.
//   barrier()                returns when every rank has called it.
//   all_gather(value)        one small value from each rank, in rank order (counts, losses,
//                            flags, names).
// Errors: a tensor that is not contiguous, not float32/float64 or not on the CPU, a root outside
// [0, size()) — minitorch::Error naming it. An MPI failure throws minitorch::Error with MPI's
// message. abort(code) ends the whole job (MPI_Abort): what a rank that failed does, so that the
// others never wait for it.
//
// Blocking collectives run on the calling thread once every collective started before them has
// finished, non-blocking ones on the communication thread, never two at once
// (MPI_THREAD_SERIALIZED); the group is safe to use from any one thread at a time. abort() may be
// called from any thread at any time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "minitorch/tensor/tensor.h"

namespace minitorch::distributed {

enum class ReduceOp { Sum, Average };

// A collective started on the communication thread.
class Work {
 public:
  virtual ~Work() = default;
  // Blocks until the collective finished; rethrows its error.
  virtual void wait() = 0;
  virtual bool is_completed() const = 0;
};

class ProcessGroup {
 public:
  // This process's group (see above). Thread-safe initialisation.
  static ProcessGroup& world();
  // Whether Open MPI's launcher started this process (its environment says so).
  static bool launched_by_mpirun();

  virtual ~ProcessGroup() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  bool is_distributed() const { return size() > 1; }

  virtual void all_reduce(const Tensor& tensor, ReduceOp op = ReduceOp::Sum) = 0;
  virtual std::shared_ptr<Work> all_reduce_async(const Tensor& tensor,
                                                 ReduceOp op = ReduceOp::Sum) = 0;
  virtual void broadcast(const Tensor& tensor, int root = 0) = 0;
  virtual void barrier() = 0;
  virtual std::vector<double> all_gather(double value) = 0;
  virtual std::vector<std::int64_t> all_gather(std::int64_t value) = 0;
  virtual std::vector<std::string> all_gather(const std::string& value) = 0;
  [[noreturn]] virtual void abort(int code) = 0;
};

// A group of one, with no MPI at all (what world() is without mpirun; also for tests).
std::unique_ptr<ProcessGroup> make_single_process_group();

}  // namespace minitorch::distributed
