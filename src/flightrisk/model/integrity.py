"""Integrity of a model directory: every file hashed, nothing unlisted loaded, an optional signature.

A model folder is code-free (LightGBM text, JSON, YAML) but it still decides people's risk, so a
loader trusts nothing it finds there:

- every file in the folder except metadata.json is listed in `files_sha256`, and every listed file
  is a plain file *in* the folder (no paths, no symlinks, no devices, no sub-folders);
- with `FLIGHTRISK_SIGNING_KEY` set, metadata.json carries an HMAC-SHA256 over its content (which
  includes the hashes), so someone who can write the folder but lacks the key cannot forge a model;
- the LightGBM text is checked for shape before LightGBM parses it (feature indices, child
  pointers, array lengths, category tables), so a malformed file is an error, not a crash.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import stat
from pathlib import Path

from flightrisk.config import SIGNING_KEY_ENV, signing_key
from flightrisk.errors import InputError
from flightrisk.io import sha256_file

METADATA = "metadata.json"
REQUIRED_FILES = ("model.txt", "calibration.json", "catalog.yaml", "profile.json")
MAX_FILE_BYTES = 512 * 1024 * 1024  # a model file larger than this is not one we wrote
MAX_LEAVES = 1 << 17
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _canonical(metadata: dict) -> bytes:
    body = {k: v for k, v in metadata.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")


def sign_metadata(metadata: dict) -> dict:
    """metadata with an HMAC signature added when a signing key is configured."""
    key = signing_key()
    if key is None:
        return {k: v for k, v in metadata.items() if k != "signature"}
    digest = hmac.new(key, _canonical(metadata), hashlib.sha256).hexdigest()
    return {**metadata, "signature": {"algorithm": "hmac-sha256", "value": digest}}


def check_signature(model_dir: Path, metadata: dict) -> None:
    """With a key configured, refuse a model whose metadata is unsigned or signed with another key."""
    key = signing_key()
    if key is None:
        return
    signature = metadata.get("signature")
    if not isinstance(signature, dict) or not isinstance(signature.get("value"), str):
        raise InputError(
            f"{model_dir}: the model is not signed but {SIGNING_KEY_ENV} is set; retrain it with the key, "
            "or unset the variable if this deployment does not sign models"
        )
    expected = hmac.new(key, _canonical(metadata), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature["value"]):
        raise InputError(
            f"{model_dir}: the signature of metadata.json does not match {SIGNING_KEY_ENV}; the model was "
            "altered or signed with another key — restore it from a trusted copy or retrain"
        )


def read_metadata(model_dir: Path) -> dict:
    """metadata.json as a dict, with a usable message for every way it can be broken."""
    path = Path(model_dir) / METADATA
    if not Path(model_dir).is_dir():
        raise InputError(f"{model_dir}: model directory not found; run `flightrisk train` or check --model")
    if not path.is_file() or path.is_symlink():
        raise InputError(
            f"{model_dir}: not a flightrisk model directory (no metadata.json); run `flightrisk train`"
        )
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InputError(f"{path}: too large to be a model's metadata; restore the model or retrain")
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not valid JSON ({exc}); restore the model or retrain") from exc
    if not isinstance(metadata, dict):
        raise InputError(f"{path}: expected a JSON object; restore the model or retrain")
    return metadata


def verify_directory(model_dir: Path, metadata: dict) -> None:
    """Refuse a model folder holding anything that is not listed, hashed and a plain file."""
    model_dir = Path(model_dir)
    recorded = metadata.get("files_sha256")
    if not isinstance(recorded, dict) or not recorded:
        raise InputError(f"{model_dir}: metadata.json records no file hashes; retrain the model")
    problems = []
    for name, digest in recorded.items():
        if (
            not isinstance(name, str)
            or name in ("", ".", "..")
            or "/" in name
            or "\\" in name
            or name == METADATA
        ):
            problems.append(f"{name!r} is not a file name inside the model folder")
        elif not isinstance(digest, str) or not _SHA256.match(digest):
            problems.append(f"{name}: {digest!r} is not a SHA-256")
    missing = [name for name in REQUIRED_FILES if name not in recorded]
    if missing:
        problems.append(f"the hash list lacks {missing}, which every model needs")
    if problems:
        raise InputError(f"{model_dir}: metadata.json is not a valid hash list; retrain the model:", problems)
    for entry in sorted(os.listdir(model_dir)):
        path = model_dir / entry
        mode = os.lstat(path).st_mode
        if entry == METADATA:
            continue
        if stat.S_ISLNK(mode):
            problems.append(f"{entry} is a symbolic link; a model folder holds only plain files")
        elif not stat.S_ISREG(mode):
            problems.append(f"{entry} is not a plain file (a folder, device or pipe)")
        elif entry not in recorded:
            problems.append(
                f"{entry} is not listed in metadata.json's hashes; remove it (nothing unlisted is loaded)"
            )
    for name, digest in recorded.items():
        path = model_dir / name
        if not os.path.lexists(path):
            problems.append(f"{name} is listed but missing")
        elif stat.S_ISREG(os.lstat(path).st_mode) and path.stat().st_size > MAX_FILE_BYTES:
            problems.append(f"{name} is larger than any model file we write")
        elif stat.S_ISREG(os.lstat(path).st_mode) and sha256_file(path) != digest:
            problems.append(f"{name} differs from the SHA-256 recorded at training")
    if problems:
        raise InputError(
            f"{model_dir}: the model folder does not match what training wrote; the model was altered or "
            "copied incompletely — restore it or retrain:",
            problems,
        )
    check_signature(model_dir, metadata)


def check_lightgbm_text(path: Path, n_features: int) -> None:
    """Refuse a LightGBM text model whose trees point outside their arrays or the feature list.

    LightGBM trusts the `tree_sizes` header to jump from tree to tree, so a truncated or edited
    file makes it read past the end of its buffer and crash the process; the layout is checked
    byte for byte first.
    """
    data = Path(path).read_bytes()
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not a LightGBM text model (not plain text); retrain the model") from exc
    problems = _layout_problems(data) or _lightgbm_problems(text, n_features)
    if problems:
        raise InputError(
            f"{path}: not a valid LightGBM model for this catalog; retrain the model:", problems[:5]
        )


def _layout_problems(data: bytes) -> list[str]:
    """The tree blocks must sit exactly where `tree_sizes` says, and the file must end properly."""
    header_end = data.find(b"\nTree=0\n")
    if header_end < 0:
        return ["no 'Tree=0' block"]
    sizes_line = re.search(rb"^tree_sizes=([0-9 ]*)$", data[:header_end], re.M)
    if sizes_line is None:
        return ["no tree_sizes line in the header"]
    sizes = [int(v) for v in sizes_line.group(1).split()]
    position = header_end + 1
    for number, size in enumerate(sizes):
        if (
            size <= 0
            or position + size > len(data)
            or not data.startswith(f"Tree={number}\n".encode(), position)
        ):
            return [f"tree {number} is not where tree_sizes says (the file is truncated or edited)"]
        position += size
    if not data.startswith(b"end of trees", position):
        return ["the trees do not end where tree_sizes says (the file is truncated or edited)"]
    if b"\nend of parameters" not in data[position:]:
        return ["the file ends before its parameters (truncated)"]
    return []


def _lightgbm_problems(text: str, n_features: int) -> list[str]:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "tree":
        return ["the first line is not 'tree'"]
    header = dict(line.split("=", 1) for line in lines[1:40] if "=" in line and not line.startswith("Tree="))
    problems = []
    if header.get("num_class", "1").strip() != "1":
        problems.append("num_class is not 1 (the model must be binary)")
    if header.get("max_feature_idx", "").strip() != str(n_features - 1):
        problems.append(
            f"max_feature_idx is {header.get('max_feature_idx')!r}, the catalog has {n_features} features"
        )
    trees = text.split("\nTree=")[1:]
    if not trees:
        problems.append("the model has no trees")
    for number, block in enumerate(trees):
        block = block.split("\nend of trees", 1)[0]
        fields = dict(line.split("=", 1) for line in block.splitlines()[1:] if "=" in line)
        problems.extend(f"tree {number}: {p}" for p in _tree_problems(fields, n_features))
        if len(problems) > 5:
            break
    return problems


def _ints(fields: dict, key: str) -> list[int]:
    value = fields.get(key, "").strip()
    return [int(float(v)) for v in value.split()] if value else []


def _tree_problems(fields: dict, n_features: int) -> list[str]:
    try:
        leaves = int(fields.get("num_leaves", ""))
        num_cat = int(fields.get("num_cat", "0"))
        split_feature = _ints(fields, "split_feature")
        left, right = _ints(fields, "left_child"), _ints(fields, "right_child")
        decision = _ints(fields, "decision_type")
        thresholds = fields.get("threshold", "").split()
        leaf_values = [float(v) for v in fields.get("leaf_value", "").split()]
        boundaries = _ints(fields, "cat_boundaries")
        cat_threshold = _ints(fields, "cat_threshold")
    except ValueError:
        return ["a field is not a number"]
    if not 1 <= leaves <= MAX_LEAVES:
        return [f"num_leaves {leaves} is out of range"]
    internal = leaves - 1
    if len(leaf_values) != leaves or any(v != v or abs(v) == float("inf") for v in leaf_values):
        return ["leaf_value does not hold one finite value per leaf"]
    if internal == 0:
        return []
    if not (len(split_feature) == len(left) == len(right) == len(decision) == len(thresholds) == internal):
        return ["the split arrays do not hold one entry per internal node"]
    problems = []
    if any(not 0 <= f < n_features for f in split_feature):
        problems.append("split_feature points outside the feature list")
    if any(not (-leaves <= c < internal) for c in left + right):
        problems.append("a child pointer points outside the tree")
    if num_cat < 0 or (num_cat and (len(boundaries) != num_cat + 1 or boundaries[-1] != len(cat_threshold))):
        return [*problems, "the category tables do not match num_cat"]
    categorical = [i for i, d in enumerate(decision) if d & 1]
    for i in categorical:
        index = int(float(thresholds[i]))
        if not 0 <= index < num_cat or boundaries[index] > boundaries[index + 1]:
            problems.append("a categorical split points outside the category tables")
            break
    return problems
