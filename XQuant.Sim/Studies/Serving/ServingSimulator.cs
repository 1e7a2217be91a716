namespace XQuant.Sim.Studies.Serving;

/// <summary>
/// A deterministic discrete-event simulation of one serving instance, iteration by iteration, with vLLM's V1
/// scheduler (vllm/v1/core/sched/scheduler.py):
/// <list type="number">
/// <item>Running sequences first, in admission order: each gets its remaining tokens (1 for a decode, the rest of
/// its prompt for a partial prefill) up to what is left of the token budget. When the pool has no block for it, the
/// most recently admitted running sequence is preempted (its blocks freed, its computed tokens dropped; it returns
/// to the head of the queue and later recomputes its prompt and the tokens it had generated), until the sequence
/// fits or is itself the one preempted.</item>
/// <item>Then, only if nothing was preempted in this iteration, waiting requests in FCFS order while the token
/// budget, max_num_seqs and the pool allow. Without chunked prefill a prompt is scheduled whole or waits.</item>
/// <item>The iteration's time comes from <see cref="IterationCoster"/> (under pipeline parallelism with
/// micro-batches, <see cref="IterationCoster.PipelinedSec"/> over the iteration cut into micro-batches, every token
/// sampled when the whole step ends); every sequence whose computed tokens reach
/// its known tokens samples one token at the iteration's end; a sequence with all its output tokens finishes and
/// frees its blocks.</item>
/// </list>
/// A request that cannot fit in the pool even alone (prompt + output - 1 tokens and its state) is reported as
/// skipped on arrival instead of waiting forever. No I/O; the same inputs give the same outputs.
/// </summary>
public sealed class ServingSimulator
{
    private readonly IterationCoster _coster;
    private readonly PoolPlan _pool;
    private readonly SchedulerConfig _config;

    public ServingSimulator(IterationCoster coster, PoolPlan pool, SchedulerConfig config)
    {
        _coster = coster;
        _pool = pool;
        _config = config;
    }

    public PoolPlan Pool => _pool;

    public SchedulerConfig Config => _config;

    /// <summary>Runs every request of <paramref name="arrivals"/> to completion (or skip).</summary>
    /// <param name="recordDetail">Keep inter-token gaps and the pool-use trace (off for the max-rate bisection).</param>
    public SimulationResult Run(ArrivalSpec arrivals, bool recordDetail = true, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(arrivals);
        var requests = arrivals.Build();
        bool closed = arrivals.Kind == ArrivalKind.ClosedLoop;
        int total = requests.Count;
        var seqs = new Seq[total];
        for (int i = 0; i < total; i++)
        {
            seqs[i] = new Seq(requests[i]);
        }
        var waiting = new LinkedList<Seq>();
        var running = new List<Seq>();
        var scheduled = new List<(Seq Seq, int Tokens)>();
        var acc = _coster.NewAccumulator();
        // Pipeline parallelism with micro-batches: one accumulator per micro-batch (see PipelinedSec).
        var micro = _coster.Stages > 1 && _coster.MicroBatches > 1
            ? Enumerable.Range(0, _coster.MicroBatches).Select(_ => _coster.NewAccumulator()).ToArray()
            : null;
        var microTokens = micro is null ? null : new long[micro.Length];
        var gaps = recordDetail ? new List<double>() : null;
        var poolTimes = recordDetail ? new List<double>() : null;
        var poolUsed = recordDetail ? new List<long>() : null;
        long freeBlocks = _pool.TotalBlocks, maxUsed = 0, iterations = 0, preemptions = 0, prefillTokens = 0, decodeTokens = 0, recomputed = 0;
        double t = 0, busy = 0;
        int done = 0;
        int issued = closed ? Math.Min(arrivals.Concurrency, total) : total;
        int nextArrival = 0;
        var issuedAt = new double[total];

        void Finish(Seq s)
        {
            done++;
            if (closed && issued < total)
            {
                issuedAt[issued] = t;
                issued++;
            }
        }

        while (done < total)
        {
            cancel.ThrowIfCancellationRequested();
            while (nextArrival < issued && ArrivalOf(nextArrival) <= t)
            {
                var s = seqs[nextArrival++];
                s.ArrivalSec = ArrivalOf(s.Request.Id);
                if (_pool.BlocksFor(s.Request.InputTokens + s.Request.OutputTokens - 1) > _pool.TotalBlocks)
                {
                    s.Skipped = true;
                    Finish(s);
                }
                else
                {
                    waiting.AddLast(s);
                }
            }
            if (running.Count == 0 && waiting.Count == 0)
            {
                if (nextArrival < issued)
                {
                    t = Math.Max(t, ArrivalOf(nextArrival));
                    continue;
                }
                if (done < total)
                {
                    throw new InvalidOperationException("serving simulation stalled with requests outstanding");
                }
                break;
            }

            // 1. Running sequences, in admission order.
            scheduled.Clear();
            int budget = _config.MaxBatchedTokens;
            bool preemptedNow = false;
            for (int i = 0; i < running.Count && budget > 0;)
            {
                var s = running[i];
                int n = Math.Min(s.Known - s.Computed, budget);
                bool fits = true;
                while (!TryGrow(s, s.Computed + n))
                {
                    var victim = running[^1];
                    running.RemoveAt(running.Count - 1);
                    freeBlocks += victim.Blocks;
                    victim.Blocks = 0;
                    recomputed += victim.Computed;
                    victim.Computed = 0;
                    victim.Preemptions++;
                    preemptions++;
                    waiting.AddFirst(victim);
                    preemptedNow = true;
                    if (victim == s)
                    {
                        fits = false;
                        break;
                    }
                }
                if (!fits)
                {
                    break;
                }
                scheduled.Add((s, n));
                budget -= n;
                i++;
            }

            // 2. Waiting requests, FCFS, only when nothing was preempted.
            while (!preemptedNow && waiting.Count > 0 && budget > 0 && running.Count < _config.MaxSeqs)
            {
                var s = waiting.First!.Value;
                int need = s.Known - s.Computed;
                if (!_config.ChunkedPrefill && need > budget)
                {
                    break;
                }
                int n = Math.Min(need, budget);
                if (!TryGrow(s, s.Computed + n))
                {
                    break;
                }
                waiting.RemoveFirst();
                running.Add(s);
                scheduled.Add((s, n));
                budget -= n;
            }
            if (scheduled.Count == 0)
            {
                if (nextArrival < issued)
                {
                    t = Math.Max(t, ArrivalOf(nextArrival));
                    continue;
                }
                if (running.Count == 0 && waiting.Count > 0)
                {
                    continue; // a sequence preempted itself; it is readmitted next iteration
                }
                throw new InvalidOperationException("serving scheduler found nothing to run");
            }

            // 3. Cost the iteration, advance the clock, sample tokens.
            double dt;
            if (micro is null)
            {
                Array.Clear(acc);
                foreach (var (s, n) in scheduled)
                {
                    IterationCoster.Add(acc, Cost(s, n));
                }
                dt = _coster.TimeSec(acc);
            }
            else
            {
                dt = PipelinedSec(micro, microTokens!);
            }
            long used = _pool.TotalBlocks - freeBlocks;
            poolTimes?.Add(t);
            poolUsed?.Add(used);
            t += dt;
            busy += dt;
            iterations++;
            bool anyFinished = false;
            foreach (var (s, n) in scheduled)
            {
                if (n == 1 && s.Computed >= s.Request.InputTokens)
                {
                    decodeTokens++;
                }
                else
                {
                    prefillTokens += n;
                }
                s.Computed += n;
                if (s.Computed != s.Known)
                {
                    continue;
                }
                s.Generated++;
                if (s.Generated == 1)
                {
                    s.FirstTokenSec = t;
                }
                else
                {
                    gaps?.Add(t - s.LastTokenSec);
                }
                s.LastTokenSec = t;
                if (s.Generated == s.Request.OutputTokens)
                {
                    s.FinishSec = t;
                    freeBlocks += s.Blocks;
                    s.Blocks = 0;
                    anyFinished = true;
                    Finish(s);
                }
            }
            if (anyFinished)
            {
                running.RemoveAll(s => s.FinishSec >= 0);
            }
        }
        if (poolTimes is not null)
        {
            poolTimes.Add(t);
            poolUsed!.Add(_pool.TotalBlocks - freeBlocks);
        }
        var outcomes = seqs.Select(s => new RequestOutcome(
            s.Request with { ArrivalSec = s.ArrivalSec }, s.Skipped, s.FirstTokenSec, s.FinishSec, s.Preemptions)).ToList();
        return new SimulationResult(outcomes, _pool, _config, iterations, busy, preemptions, maxUsed, _pool.TotalBlocks - freeBlocks,
            prefillTokens, decodeTokens, recomputed, gaps ?? [], poolTimes ?? [], poolUsed ?? []);

        double[] Cost(Seq s, int n) =>
            n == 1 && s.Computed > 0 ? _coster.Decode(s.Computed) : _coster.Chunk(s.Computed, n, samples: s.Computed + n == s.Known);

        // Each scheduled sequence joins the micro-batch with the fewest tokens so far (ties: the lowest), in schedule order.
        double PipelinedSec(double[][] accs, long[] tokens)
        {
            foreach (var a in accs)
            {
                Array.Clear(a);
            }
            Array.Clear(tokens);
            foreach (var (s, n) in scheduled)
            {
                int j = 0;
                for (int k = 1; k < tokens.Length; k++)
                {
                    if (tokens[k] < tokens[j])
                    {
                        j = k;
                    }
                }
                tokens[j] += n;
                IterationCoster.Add(accs[j], Cost(s, n));
            }
            return _coster.PipelinedSec(accs.Where((_, j) => tokens[j] > 0).ToList());
        }

        double ArrivalOf(int id) => closed ? (id < arrivals.Concurrency ? 0 : issuedAt[id]) : requests[id].ArrivalSec;

        bool TryGrow(Seq s, long tokens)
        {
            long need = _pool.BlocksFor(tokens) - s.Blocks;
            if (need <= 0)
            {
                return true;
            }
            if (need > freeBlocks)
            {
                return false;
            }
            freeBlocks -= need;
            s.Blocks += need;
            maxUsed = Math.Max(maxUsed, _pool.TotalBlocks - freeBlocks);
            return true;
        }
    }

    /// <summary>Mutable state of one request inside the loop.</summary>
    private sealed class Seq
    {
        public Seq(ServingRequest r)
        {
            Request = r;
            ArrivalSec = r.ArrivalSec;
        }

        public ServingRequest Request { get; }
        public double ArrivalSec { get; set; }

        /// <summary>Tokens whose cache entries exist (prompt, then fed-back outputs).</summary>
        public int Computed { get; set; }

        public int Generated { get; set; }
        public long Blocks { get; set; }
        public int Preemptions { get; set; }
        public bool Skipped { get; set; }
        public double FirstTokenSec { get; set; } = -1;
        public double LastTokenSec { get; set; } = -1;
        public double FinishSec { get; set; } = -1;

        /// <summary>Tokens the model knows: the prompt and every sampled output token.</summary>
        public int Known => Request.InputTokens + Generated;
    }
}
