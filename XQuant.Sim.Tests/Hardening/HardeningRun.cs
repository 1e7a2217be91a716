using System.Diagnostics;
using XQuant.Sim.Cli;

namespace XQuant.Sim.Tests.Hardening;

/// <summary>Runs xqsim in-process or as a child process for the hardening tests, and makes scratch folders that go away.</summary>
internal static class HardeningRun
{
    public static (int Code, string Out, string Err) RunCli(params string[] args)
    {
        using var o = new StringWriter();
        using var e = new StringWriter();
        int code = CliApp.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    /// <summary>Starts the built xqsim; its output is collected asynchronously, so a test never blocks on a pipe.</summary>
    public static Child Start(string workDir, params string[] args) => new(workDir, args);

    /// <summary>A running xqsim; disposing it kills it if it is still running, so no test leaves a process behind.</summary>
    public sealed class Child : IDisposable
    {
        private readonly System.Text.StringBuilder _out = new();
        private readonly System.Text.StringBuilder _err = new();
        private readonly ManualResetEventSlim _firstLine = new();

        public Child(string workDir, string[] args)
        {
            string xqsim = Path.Combine(AppContext.BaseDirectory, "xqsim.dll");
            var psi = new ProcessStartInfo("dotnet", [xqsim, .. args])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = workDir,
            };
            Process = Process.Start(psi)!;
            Process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (_out)
                    {
                        _out.AppendLine(e.Data);
                    }
                    _firstLine.Set();
                }
            };
            Process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (_err)
                    {
                        _err.AppendLine(e.Data);
                    }
                }
            };
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public string Stderr
        {
            get
            {
                lock (_err)
                {
                    return _err.ToString();
                }
            }
        }

        public bool WaitForFirstLine(TimeSpan timeout) => _firstLine.Wait(timeout);

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit(10_000);
            }
            Process.Dispose();
            _firstLine.Dispose();
        }
    }

    public static void Signal(Child child, string signal)
    {
        var p = child.Process;
        using var kill = Process.Start("kill", [$"-{signal}", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    public static void MakeFifo(string path)
    {
        using var p = Process.Start("mkfifo", [path])!;
        p.WaitForExit();
        Assert.AreEqual(0, p.ExitCode, "mkfifo failed");
    }

    /// <summary>A scratch folder deleted when disposed.</summary>
    public sealed class Scratch : IDisposable
    {
        public Scratch() => Dir = TestPaths.NewTempDir();

        public string Dir { get; }

        public string Path(string name) => System.IO.Path.Combine(Dir, name);

        /// <summary>Every entry left under <paramref name="dir"/>, hidden ones included.</summary>
        public static string[] Leftovers(string dir) =>
            Directory.Exists(dir) ? Directory.GetFileSystemEntries(dir, "*", SearchOption.AllDirectories) : [];

        public void Dispose()
        {
            try
            {
                Directory.Delete(Dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
