// All-reduce latency and bandwidth: our ProcessGroup against Open MPI's own MPI_Allreduce called in
// a plain loop, float32 sum, in place, message sizes 4 KB to 64 MB (powers of 4).
//
//   mpirun -np 2 bench_allreduce [--repetitions R] [--min-bytes B] [--max-bytes B]
// (as root: mpirun --allow-run-as-root; on a 2-core machine also --oversubscribe)
//
// For each size the two implementations alternate, R times (default 11): one untimed block of each
// first, then R pairs of a block of k MPI_Allreduce calls and a block of k ProcessGroup::all_reduce
// calls, MPI's first in even pairs and ours first in odd ones, k chosen so that a block moves
// about 64 MB (at least 3 and at most 2000 calls). Every block
// starts after a barrier; its time is the slowest rank's (the collective ends for all when the
// last one has it). A figure is the median over the R blocks of the time per call. cpu_us is the
// process's CPU time per call (all its threads) on rank 0: above us where a thread busy-polls.
// The bus bandwidth follows the ring convention of NCCL's tests, 2(n-1)/n · bytes / time: what
// each rank's link carries in a ring all-reduce, comparable across world sizes.
//
// Output (rank 0): one JSON line per size and implementation on stdout,
//   {"suite":"allreduce","impl":"mpi"|"ours","ranks":n,"bytes":b,"calls":k,"us":...,
//    "us_min":...,"us_max":...,"cpu_us":...,"busbw_gb_s":...}
// and a readable table on stderr.
#include <mpi.h>
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "minitorch/distributed/process_group.h"
#include "minitorch/minitorch.h"

namespace mt = minitorch;
namespace dist = minitorch::distributed;

namespace {

struct Options {
  int repetitions = 11;
  std::int64_t min_bytes = std::int64_t{4} << 10;
  std::int64_t max_bytes = std::int64_t{64} << 20;
};

[[noreturn]] void usage_error(const std::string& what) {
  std::fprintf(stderr,
               "bench_allreduce: %s\nusage: mpirun -np N bench_allreduce [--repetitions R] "
               "[--min-bytes B] [--max-bytes B]\n",
               what.c_str());
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage_error(flag + " needs a value");
    const long long value = std::atoll(argv[i + 1]);
    if (value < 1) usage_error(flag + " needs a positive count, not " + argv[i + 1]);
    if (flag == "--repetitions") {
      o.repetitions = static_cast<int>(value);
    } else if (flag == "--min-bytes") {
      o.min_bytes = value;
    } else if (flag == "--max-bytes") {
      o.max_bytes = value;
    } else {
      usage_error("unknown flag " + flag);
    }
  }
  if (o.min_bytes < 4 || o.min_bytes > o.max_bytes) {
    usage_error("--min-bytes must be at least 4 and at most --max-bytes");
  }
  return o;
}

double now_seconds(clockid_t clock) {
  timespec t{};
  clock_gettime(clock, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

struct Block {
  double seconds_per_call;      // the slowest rank's
  double cpu_seconds_per_call;  // this process's CPU time
};

// k calls of `call` after a barrier, timed on every rank; the slowest rank's time counts. MPI is
// called from this thread directly: the group runs its blocking collectives on the caller's thread
// and nothing non-blocking is ever pending here, so no two MPI calls overlap
// (MPI_THREAD_SERIALIZED).
Block time_block(const std::function<void()>& call, int k) {
  MPI_Barrier(MPI_COMM_WORLD);
  const double cpu0 = now_seconds(CLOCK_PROCESS_CPUTIME_ID);
  const double t0 = now_seconds(CLOCK_MONOTONIC);
  for (int i = 0; i < k; ++i) call();
  double elapsed = now_seconds(CLOCK_MONOTONIC) - t0;
  const double cpu = now_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
  MPI_Allreduce(MPI_IN_PLACE, &elapsed, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return {elapsed / k, cpu / k};
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct Figure {
  double us, us_min, us_max, cpu_us;
};

Figure summarise(const std::vector<Block>& blocks) {
  std::vector<double> wall, cpu;
  for (const Block& b : blocks) {
    wall.push_back(1e6 * b.seconds_per_call);
    cpu.push_back(1e6 * b.cpu_seconds_per_call);
  }
  return {median(wall), *std::min_element(wall.begin(), wall.end()),
          *std::max_element(wall.begin(), wall.end()), median(cpu)};
}

double bus_gb_per_s(std::int64_t bytes, int ranks, double us) {
  return 2.0 * (ranks - 1) / ranks * double(bytes) / (us * 1e-6) / 1e9;
}

void print_json(const char* impl, int ranks, std::int64_t bytes, int calls, const Figure& f) {
  std::printf(
      "{\"suite\":\"allreduce\",\"impl\":\"%s\",\"ranks\":%d,\"bytes\":%lld,\"calls\":%d,"
      "\"us\":%.3f,\"us_min\":%.3f,\"us_max\":%.3f,\"cpu_us\":%.3f,\"busbw_gb_s\":%.4f}\n",
      impl, ranks, static_cast<long long>(bytes), calls, f.us, f.us_min, f.us_max, f.cpu_us,
      bus_gb_per_s(bytes, ranks, f.us));
  std::fflush(stdout);
}

int calls_per_block(std::int64_t bytes) {
  const std::int64_t target = std::int64_t{64} << 20;
  return static_cast<int>(std::clamp<std::int64_t>(target / bytes, 3, 2000));
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  mt::set_num_threads(1);
  dist::ProcessGroup& group = dist::ProcessGroup::world();  // initialises MPI under mpirun
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (!initialised || group.size() < 2) {
    usage_error("needs at least 2 ranks started by mpirun (this process is a group of " +
                std::to_string(group.size()) + ")");
  }
  const int ranks = group.size();
  const bool lead = group.rank() == 0;
  if (lead) {
    std::fprintf(stderr, "all-reduce, float32 sum in place, %d ranks, median of %d blocks\n", ranks,
                 options.repetitions);
    std::fprintf(stderr, "%10s %6s %11s %11s %8s %11s %11s %9s %9s\n", "bytes", "calls", "MPI us",
                 "ours us", "ours/MPI", "MPI GB/s", "ours GB/s", "MPI cpu", "ours cpu");
  }
  for (std::int64_t bytes = options.min_bytes; bytes <= options.max_bytes; bytes *= 4) {
    const std::int64_t count = bytes / 4;
    std::vector<float> buffer(static_cast<std::size_t>(count), 0.0f);
    const mt::Tensor tensor = mt::zeros({count});  // float32; zeros stay finite under sums
    const auto mpi_call = [&] {
      MPI_Allreduce(MPI_IN_PLACE, buffer.data(), static_cast<int>(count), MPI_FLOAT, MPI_SUM,
                    MPI_COMM_WORLD);
    };
    const auto our_call = [&] { group.all_reduce(tensor, dist::ReduceOp::Sum); };
    const int k = calls_per_block(bytes);
    time_block(mpi_call, k);  // warm-up: connections, registration, first touch of the pages
    time_block(our_call, k);
    std::vector<Block> mpi, ours;
    for (int r = 0; r < options.repetitions; ++r) {
      // Either goes first in turn, so neither always follows the other (caches, frequency).
      if (r % 2 == 0) {
        mpi.push_back(time_block(mpi_call, k));
        ours.push_back(time_block(our_call, k));
      } else {
        ours.push_back(time_block(our_call, k));
        mpi.push_back(time_block(mpi_call, k));
      }
    }
    if (!lead) continue;
    const Figure a = summarise(mpi), b = summarise(ours);
    print_json("mpi", ranks, bytes, k, a);
    print_json("ours", ranks, bytes, k, b);
    std::fprintf(stderr, "%10lld %6d %11.2f %11.2f %8.3f %11.3f %11.3f %9.2f %9.2f\n",
                 static_cast<long long>(bytes), k, a.us, b.us, b.us / a.us,
                 bus_gb_per_s(bytes, ranks, a.us), bus_gb_per_s(bytes, ranks, b.us), a.cpu_us,
                 b.cpu_us);
  }
  group.barrier();
  return 0;
}
