"""scikit-learn's side of plg360's model benchmark (ModelComparison writes this file beside the rows it exports).

Reads the fit rows and the held-out rows (CSV: one standardised column per term, the label and, if the classes were
weighted, the weight), fits scikit-learn's LogisticRegression with MLlib's regularisation `--repeats` times, and
prints one line of JSON: each fit's seconds, the held-out AUC-ROC, intercept and coefficients of the last fit, its
iterations and whether it converged before its limit, and scikit-learn's version.

MLlib minimises  (1/W) sum_i w_i loss_i + regParam * (alpha |b|_1 + (1 - alpha)/2 |b|^2),  W = sum_i w_i.
scikit-learn minimises  C sum_i w_i loss_i + l1_ratio |b|_1 + (1 - l1_ratio)/2 |b|^2.
Divided by regParam * W, MLlib's objective is scikit-learn's with C = 1 / (regParam * W) and l1_ratio = alpha.
Neither penalises the intercept.
"""
import argparse
import csv
import json
import time

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

# MLlib's tolerance as plg360 sets it (ConversionPipeline.regression); the two solvers read it differently.
TOL = 1e-8
# SAGA's max_iter counts epochs of a stochastic method, not quasi-Newton steps: with MLlib's count it stops well short
# of the optimum that OWL-QN reaches in as many steps, so it gets this many epochs per MLlib iteration.
SAGA_EPOCHS_PER_ITERATION = 100


def read(path, label, weight):
    """The rows of a CSV file as (terms, label, weight); weight 1 for every row when there is no weight column."""
    with open(path, newline="") as f:
        header = next(csv.reader(f))
    data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    terms = [i for i, name in enumerate(header) if name not in (label, weight)]
    y = data[:, header.index(label)]
    w = data[:, header.index(weight)] if weight else np.ones(len(y))
    return data[:, terms], y, w


def regression(reg_param, alpha, weight_sum, max_iter):
    """MLlib's objective in scikit-learn's terms: L-BFGS for ridge (as MLlib), SAGA for an L1 share (MLlib: OWL-QN)."""
    if reg_param == 0:
        return LogisticRegression(penalty=None, solver="lbfgs", max_iter=max_iter, tol=TOL)
    c = 1.0 / (reg_param * weight_sum)
    if alpha == 0:
        return LogisticRegression(penalty="l2", C=c, solver="lbfgs", max_iter=max_iter, tol=TOL)
    # SAGA shuffles the rows: a fixed seed makes every repeat the same fit.
    return LogisticRegression(penalty="elasticnet", l1_ratio=alpha, C=c, solver="saga", tol=TOL, random_state=0,
                              max_iter=max_iter * SAGA_EPOCHS_PER_ITERATION)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--train", required=True)
    p.add_argument("--test", required=True)
    p.add_argument("--label", required=True, help="the label's column")
    p.add_argument("--weight", help="the weight's column, if the classes were weighted")
    p.add_argument("--reg-param", type=float, required=True)
    p.add_argument("--elastic-net-param", type=float, required=True)
    p.add_argument("--max-iter", type=int, required=True)
    p.add_argument("--repeats", type=int, default=1)
    a = p.parse_args()

    x, y, w = read(a.train, a.label, a.weight)
    x_test, y_test, _ = read(a.test, a.label, a.weight)
    seconds = []
    model = None
    for _ in range(a.repeats):
        model = regression(a.reg_param, a.elastic_net_param, w.sum(), a.max_iter)
        started = time.perf_counter()
        model.fit(x, y, sample_weight=w)
        seconds.append(time.perf_counter() - started)
    # Unweighted, as train's held-out metrics are.
    auc = roc_auc_score(y_test, model.predict_proba(x_test)[:, 1])
    print(json.dumps({
        "fit_seconds": seconds,
        "auc": auc,
        "sklearn": sklearn.__version__,
        "iterations": int(np.max(model.n_iter_)),
        "converged": bool(np.max(model.n_iter_) < model.max_iter),
        "intercept": float(model.intercept_[0]),
        "coefficients": model.coef_[0].tolist(),
    }))


if __name__ == "__main__":
    main()
