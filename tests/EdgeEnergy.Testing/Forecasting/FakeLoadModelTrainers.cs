using EdgeEnergy.Control.Forecasting.LoadModel;

namespace EdgeEnergy.Testing.Forecasting;

/// <summary>A trainer whose model is one leaf: it adds <paramref name="kwh"/> to every slot of the baseline.</summary>
public sealed class ConstantLoadModelTrainer(double kwh) : ILoadModelTrainer
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public string Name => $"constant {kwh}";

    public TreeEnsemble Train(LoadTrainingSet rows)
    {
        Interlocked.Increment(ref _calls);
        return Constant(kwh);
    }

    public static TreeEnsemble Constant(double kwh) => new(0, [new RegressionTreeArrays([], [], [], [], [kwh], 1)], LoadFeatures.Count);
}

/// <summary>A trainer that learns the mean label: the baseline's average error over the training rows.</summary>
public sealed class MeanLabelLoadModelTrainer : ILoadModelTrainer
{
    public string Name => "mean label";

    public TreeEnsemble Train(LoadTrainingSet rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var sum = 0.0;
        foreach (var label in rows.Labels.Span)
        {
            sum += label;
        }

        return ConstantLoadModelTrainer.Constant(sum / rows.Rows);
    }
}

/// <summary>A trainer that always fails.</summary>
public sealed class ThrowingLoadModelTrainer : ILoadModelTrainer
{
    public string Name => "throws";

    public TreeEnsemble Train(LoadTrainingSet rows) => throw new InvalidOperationException("the trainer ran out of memory");
}
