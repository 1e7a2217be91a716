using System.Collections.Concurrent;

namespace XQuant.Sim.Foundation.Output;

/// <summary>
/// Knows every temporary file and staging folder this process has open, so a signal can remove them all. Commits
/// and the signal's clean-up take one lock: a set of files is either committed whole before the stop or not at all.
/// </summary>
public static class OutputGate
{
    private static readonly ConcurrentDictionary<object, Action> Pending = new();
    private static volatile bool _stopping;

    internal static readonly Lock CommitLock = new();

    /// <summary>True once a signal asked the process to stop: no further commit happens.</summary>
    public static bool Stopping => _stopping;

    internal static void Track(object owner, Action cleanUp) => Pending[owner] = cleanUp;

    internal static void Untrack(object owner) => Pending.TryRemove(owner, out _);

    /// <summary>Called by the signal handler: commits in flight finish, later ones are refused.</summary>
    public static void Stop()
    {
        lock (CommitLock)
        {
            _stopping = true;
        }
    }

    /// <summary>Removes every temporary file and staging folder still open (best effort; the process is about to exit).</summary>
    public static void AbandonAll()
    {
        lock (CommitLock)
        {
            _stopping = true;
            foreach (var (owner, cleanUp) in Pending.ToArray())
            {
                try
                {
                    cleanUp();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Nothing more can be done while exiting; the next run into the folder ignores stale staging.
                }
                Pending.TryRemove(owner, out _);
            }
        }
    }

    internal static void ThrowIfStopping()
    {
        if (_stopping)
        {
            throw new OperationCanceledException("stopped by a signal");
        }
    }
}
