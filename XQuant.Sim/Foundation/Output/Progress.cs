using System.Diagnostics;
using XQuant.Sim.Foundation.Text;

namespace XQuant.Sim.Foundation.Output;

/// <summary>
/// A progress line for long runs, rewritten in place on a terminal at most 4 times a second, and only once the
/// run has lasted a second; silent when output is redirected (CI logs, files, pipes).
/// </summary>
public sealed class Progress
{
    private readonly TextWriter? _terminal;
    private readonly string _what;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private double _lastShownSec = -1;
    private bool _shown;

    public Progress(TextWriter? terminal, string what)
    {
        _terminal = terminal;
        _what = what;
    }

    public void Report(long done, long total)
    {
        if (_terminal is null)
        {
            return;
        }
        double t = _clock.Elapsed.TotalSeconds;
        if (t < 1.0 || t - _lastShownSec < 0.25)
        {
            return;
        }
        _lastShownSec = t;
        _shown = true;
        string pct = total > 0 ? $" ({Formats.Fixed(100.0 * done / total, 1)}%)" : "";
        _terminal.Write($"\r{_what}: {done}/{total}{pct}, {Formats.Int(done / t)}/s   ");
    }

    public void Done()
    {
        if (_shown)
        {
            _terminal!.Write("\r\u001b[K");
        }
    }
}
