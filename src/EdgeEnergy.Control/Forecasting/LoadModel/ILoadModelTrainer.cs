namespace EdgeEnergy.Control.Forecasting.LoadModel;

/// <summary>
/// Rows to learn from: <see cref="Rows"/> rows of <see cref="FeatureCount"/> features (row-major, see
/// <see cref="LoadFeatures"/>), each labelled with the actual load minus the baseline forecast of the slot (kWh per
/// half hour, positive = the load ran above the baseline).
/// </summary>
public sealed record LoadTrainingSet(ReadOnlyMemory<float> Features, ReadOnlyMemory<float> Labels, int FeatureCount)
{
    public int Rows => Labels.Length;
}

/// <summary>
/// Fits a boosted regression tree ensemble to a <see cref="LoadTrainingSet"/> (the label in kWh per slot), the same
/// ensemble for the same rows on any machine and thread count. Throws when it cannot.
/// </summary>
public interface ILoadModelTrainer
{
    /// <summary>Short name for logs and reports.</summary>
    string Name { get; }

    TreeEnsemble Train(LoadTrainingSet rows);
}
