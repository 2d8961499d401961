"""The MLflow pyfunc model, logged as code (models-from-code): nothing is pickled.

MLflow loads this file, which loads the model directory shipped as an artifact with the
package's own loader; `predict` returns the columns of SPEC.md's scores.
"""

from __future__ import annotations

import mlflow
import pandas as pd
from mlflow.pyfunc import PythonModel


class FlightRiskPyfunc(PythonModel):
    """Scores a table of either model kind; `params` choose explanations and a single column."""

    def load_context(self, context):
        """Load the model directory shipped with the logged model."""
        from flightrisk.model.artifact import load_model

        self.model = load_model(context.artifacts["model_dir"])

    def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:
        """SPEC.md's score columns for the input rows (or the one column `params['column']`)."""
        from flightrisk.score.batch import score_frame, typed_rows

        params = params or {}
        rows = typed_rows(self.model, model_input, "the model input")
        scores = score_frame(self.model, rows, explain=bool(params.get("explain", True)))
        # Spark UDFs return one column; `column` picks it (e.g. "risk").
        column = params.get("column")
        return scores[column] if column else scores


mlflow.models.set_model(FlightRiskPyfunc())
