import Foundation
import NIOCore

/// How many CPUs this process may run on: the fewest of its affinity mask (`taskset`, a pinned pod), the cgroup's
/// CPU quota (a Kubernetes limit, rounded up) and its cpuset. NIO's own count reads the cgroup but not the affinity
/// mask, so a pinned process would start a thread per host core.
public enum UsableCores {
    public static var count: Int {
        var cores = System.coreCount
        if let affinity = affinityCount { cores = min(cores, affinity) }
        return max(1, cores)
    }

    /// The CPUs of the affinity mask, from /proc/self/status (`sched_getaffinity` needs _GNU_SOURCE, which Glibc's
    /// Swift module does not define).
    static var affinityCount: Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") })
        else { return nil }
        return cpuListCount(line.dropFirst("Cpus_allowed_list:".count))
    }

    /// How many CPUs a kernel CPU list ("0-3,8,10-11") names; nil when it is not one.
    static func cpuListCount(_ list: Substring) -> Int? {
        var count = 0
        for part in list.split(separator: ",") {
            let bounds = part.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            switch bounds.count {
            case 1: guard bounds[0] != nil else { return nil }; count += 1
            case 2:
                guard let low = bounds[0], let high = bounds[1], low <= high else { return nil }
                count += high - low + 1
            default: return nil
            }
        }
        return count > 0 ? count : nil
    }

    /// Sizes NIO's shared event loops (`loops`, else the usable cores) and blocking pool before anything starts them;
    /// the NIO_SINGLETON_* environment variables still win.
    public static func sizeSingletons(loops: Int?, environment: [String: String]) {
        let cores = count
        if environment["NIO_SINGLETON_GROUP_LOOP_COUNT"] == nil {
            NIOSingletons.groupLoopCountSuggestion = max(1, loops ?? cores)
        }
        if environment["NIO_SINGLETON_BLOCKING_POOL_THREAD_COUNT"] == nil {
            NIOSingletons.blockingPoolThreadCountSuggestion = cores
        }
    }
}
