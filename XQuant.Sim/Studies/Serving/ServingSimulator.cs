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
/// <para>
/// Speculative decoding (the coster's <see cref="IterationCoster.Speculation"/> with k &gt; 0), as vLLM schedules it:
/// a decoding sequence is scheduled with k + 1 tokens of the budget and blocks for its cached tokens + 1 + k (the
/// verify step writes k draft slots; blocks are kept after a rejection, as vLLM keeps them), and is costed as the
/// verify ledger at its context. At the iteration's end it gains n = 1 + leading accepted drafts tokens
/// (<see cref="AcceptanceSampler"/>, seeded from the run's seed, draws in schedule order), at most the tokens it still
/// needs; all n arrive at the iteration's end, recorded as n inter-token gaps of (end - previous token) / n. The
/// drafter's k steps over the decoding sequences (each timed as an iteration of the drafter's own coster at contexts
/// l .. l + k - 1) run before the verify and add to the iteration's time. Prefill chunks are unchanged.
/// </para>
/// </summary>
public sealed class ServingSimulator
{
    private readonly IterationCoster _coster;
    private readonly IterationCoster? _drafter;
    private readonly PoolPlan _pool;
    private readonly SchedulerConfig _config;

    /// <param name="drafter">The drafter's coster (<see cref="IterationCoster.ForDrafter"/>); null: drafting is not costed.</param>
    public ServingSimulator(IterationCoster coster, PoolPlan pool, SchedulerConfig config, IterationCoster? drafter = null)
    {
        _coster = coster;
        _pool = pool;
        _config = config;
        _drafter = coster.Speculation is null ? null : drafter;
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
        var scheduled = new List<(Seq Seq, int Tokens, bool Verify)>();
        // Speculation: k draft tokens per decoding sequence, accepted with probability a (k = 0: plain decode).
        var spec = _coster.Speculation;
        int k = spec?.DraftTokens ?? 0;
        double accept = spec?.AcceptanceRate ?? 0;
        var sampler = k > 0 ? new AcceptanceSampler(arrivals.Seed) : null;
        var draftAcc = _drafter?.NewAccumulator();
        long verifySteps = 0, verifiedTokens = 0;
        double draftSec = 0;
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

        // A sequence that produced its last token: it finishes now and gives its blocks back.
        void Complete(Seq s)
        {
            s.FinishSec = t;
            freeBlocks += s.Blocks;
            s.Blocks = 0;
            Finish(s);
        }

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
                if (_pool.BlocksFor(s.Request.InputTokens + s.Request.OutputTokens - 1 + k) > _pool.TotalBlocks)
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
                // A verify step feeds the last sampled token and k drafts: k + 1 tokens of the budget, k more slots.
                bool verify = k > 0 && s.Generated > 0 && s.Known - s.Computed == 1;
                if (verify && budget < k + 1)
                {
                    break;
                }
                int n = verify ? 1 : Math.Min(s.Known - s.Computed, budget);
                bool fits = true;
                while (!TryGrow(s, s.Computed + n + (verify ? k : 0)))
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
                scheduled.Add((s, n, verify));
                budget -= verify ? k + 1 : n;
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
                scheduled.Add((s, n, false));
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
                foreach (var (s, n, verify) in scheduled)
                {
                    IterationCoster.Add(acc, Cost(s, n, verify));
                }
                dt = _coster.TimeSec(acc);
            }
            else
            {
                dt = PipelinedSec(micro, microTokens!);
            }
            if (_drafter is not null)
            {
                double draft = DraftSec();
                draftSec += draft;
                dt += draft;
            }
            long used = _pool.TotalBlocks - freeBlocks;
            poolTimes?.Add(t);
            poolUsed?.Add(used);
            t += dt;
            busy += dt;
            iterations++;
            bool anyFinished = false;
            foreach (var (s, n, verify) in scheduled)
            {
                if (verify)
                {
                    // The fed token and the accepted drafts are now cached; the last of the gained tokens is fed next.
                    int gained = Math.Min(sampler!.Draw(k, accept), s.Request.OutputTokens - s.Generated);
                    verifySteps++;
                    verifiedTokens += gained;
                    decodeTokens += k + 1;
                    s.Computed += gained;
                    s.Generated += gained;
                    for (int j = 0; gaps is not null && j < gained; j++)
                    {
                        gaps.Add((t - s.LastTokenSec) / gained);
                    }
                    s.LastTokenSec = t;
                    if (s.Generated == s.Request.OutputTokens)
                    {
                        Complete(s);
                        anyFinished = true;
                    }
                    continue;
                }
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
                    Complete(s);
                    anyFinished = true;
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
            prefillTokens, decodeTokens, recomputed, gaps ?? [], poolTimes ?? [], poolUsed ?? [])
        {
            VerifySteps = verifySteps,
            VerifiedTokens = verifiedTokens,
            DraftSec = draftSec,
        };

        double[] Cost(Seq s, int n, bool verify) =>
            verify ? _coster.Verify(s.Computed)
            : n == 1 && s.Computed > 0 ? _coster.Decode(s.Computed) : _coster.Chunk(s.Computed, n, samples: s.Computed + n == s.Known);

        // The drafter's k steps, one after another, each over every verifying sequence at its own context (l + j).
        double DraftSec()
        {
            double sum = 0;
            for (int j = 0; j < k; j++)
            {
                Array.Clear(draftAcc!);
                bool any = false;
                foreach (var (s, _, verify) in scheduled)
                {
                    if (verify)
                    {
                        IterationCoster.Add(draftAcc!, _drafter!.Decode(s.Computed + j));
                        any = true;
                    }
                }
                if (!any)
                {
                    return 0;
                }
                sum += _drafter!.TimeSec(draftAcc!);
            }
            return sum;
        }

        // Each scheduled sequence joins the micro-batch with the fewest tokens so far (ties: the lowest), in schedule order.
        double PipelinedSec(double[][] accs, long[] tokens)
        {
            foreach (var a in accs)
            {
                Array.Clear(a);
            }
            Array.Clear(tokens);
            foreach (var (s, n, verify) in scheduled)
            {
                int j = 0;
                for (int k = 1; k < tokens.Length; k++)
                {
                    if (tokens[k] < tokens[j])
                    {
                        j = k;
                    }
                }
                tokens[j] += verify ? k + 1 : n;
                IterationCoster.Add(accs[j], Cost(s, n, verify));
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
