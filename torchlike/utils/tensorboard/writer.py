"""torch.utils.tensorboard.writer: FileWriter and SummaryWriter on tensorboard's own writer."""

from __future__ import annotations

import os
import time

from tensorboard.compat.proto.event_pb2 import Event, SessionLog, TaggedRunMetadata
from tensorboard.summary.writer.event_file_writer import EventFileWriter

from . import _summary as S

__all__ = ["FileWriter", "SummaryWriter"]


class FileWriter:
    """torch.utils.tensorboard.writer.FileWriter: events into one event file of a directory."""

    def __init__(self, log_dir, max_queue=10, flush_secs=120, filename_suffix=""):
        self.event_writer = EventFileWriter(str(log_dir), max_queue, flush_secs, filename_suffix)

    def get_logdir(self):
        """Directory the event file is written to."""
        return self.event_writer.get_logdir()

    def add_event(self, event, step=None, walltime=None):
        """Stamp `event` with wall time (and step) and queue it."""
        event.wall_time = time.time() if walltime is None else walltime
        if step is not None:
            event.step = int(step)
        self.event_writer.add_event(event)

    def add_summary(self, summary, global_step=None, walltime=None):
        """Queue a Summary proto as an event."""
        self.add_event(Event(summary=summary), global_step, walltime)

    def add_graph(self, graph_profile, walltime=None):
        """Queue a (GraphDef, RunMetadata) pair as TensorBoard's graph events."""
        graph, run_meta = graph_profile
        self.add_event(Event(graph_def=graph.SerializeToString()), None, walltime)
        trm = TaggedRunMetadata(tag="step1", run_metadata=run_meta.SerializeToString())
        self.add_event(Event(tagged_run_metadata=trm), None, walltime)

    def flush(self):
        """Write queued events to disk."""
        self.event_writer.flush()

    def close(self):
        """Flush and close the event file."""
        self.event_writer.close()

    def reopen(self):
        """Reopen after close(), appending to a new event file."""
        self.event_writer.reopen()


def _default_logdir(comment: str) -> str:
    import socket
    from datetime import datetime
    stamp = datetime.now().strftime("%b%d_%H-%M-%S")
    return os.path.join("runs", stamp + "_" + socket.gethostname() + comment)


def _escape(name: str) -> str:
    # Embedding sub-directories: '%', '/' and '\' percent-encoded so a tag is one path part.
    return name.replace("%", "%25").replace("/", "%2f").replace("\\", "%5c")


class SummaryWriter:
    """torch.utils.tensorboard.SummaryWriter: log scalars, histograms, images, ... for TensorBoard.

    Values may be torchlike Tensors, NumPy arrays or Python numbers.
    """

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10,
                 flush_secs=120, filename_suffix=""):
        if not log_dir:
            log_dir = _default_logdir(comment)
        self.log_dir = log_dir
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self.file_writer = self.all_writers = None
        self._get_file_writer()
        self.default_bins = S.DEFAULT_BINS

    def _get_file_writer(self):
        if self.all_writers is None or self.file_writer is None:
            self.file_writer = FileWriter(self.log_dir, self.max_queue, self.flush_secs,
                                          self.filename_suffix)
            self.all_writers = {self.file_writer.get_logdir(): self.file_writer}
            if self.purge_step is not None:
                # TensorBoard drops events of steps >= purge_step written by a crashed run.
                step = self.purge_step
                self.file_writer.add_event(Event(step=step, file_version="brain.Event:2"))
                self.file_writer.add_event(
                    Event(step=step, session_log=SessionLog(status=SessionLog.START)))
                self.purge_step = None
        return self.file_writer

    def get_logdir(self):
        """The directory events are written to."""
        return self.log_dir

    def add_hparams(self, hparam_dict, metric_dict, hparam_domain_discrete=None,
                    run_name=None, global_step=None):
        """Log a hyperparameter set and its metrics as a run under this log dir."""
        if type(hparam_dict) is not dict or type(metric_dict) is not dict:
            raise TypeError("hparam_dict and metric_dict should be dictionary.")
        exp, start, end = S.hparams(hparam_dict, metric_dict, hparam_domain_discrete)
        if not run_name:
            run_name = str(time.time())
        logdir = os.path.join(self._get_file_writer().get_logdir(), run_name)
        with SummaryWriter(log_dir=logdir) as w:
            for s in (exp, start, end):
                w.file_writer.add_summary(s, global_step)
            for k, v in metric_dict.items():
                w.add_scalar(k, v, global_step)

    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None,
                   new_style=False, double_precision=False):
        """Log one scalar value."""
        summary = S.scalar(tag, scalar_value, new_style=new_style,
                           double_precision=double_precision)
        self._get_file_writer().add_summary(summary, global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Log several scalars on one chart; each key goes to its own sub-run directory."""
        walltime = time.time() if walltime is None else walltime
        root = self._get_file_writer().get_logdir()
        for tag, value in tag_scalar_dict.items():
            sub = root + "/" + main_tag.replace("/", "_") + "_" + tag
            fw = self.all_writers.get(sub)
            if fw is None:
                fw = self.all_writers[sub] = FileWriter(sub, self.max_queue, self.flush_secs,
                                                        self.filename_suffix)
            fw.add_summary(S.scalar(main_tag, value), global_step, walltime)

    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None,
                      max_bins=None):
        """Log a histogram of `values` (`bins` as np.histogram takes it, or 'tensorflow')."""
        if isinstance(bins, str) and bins == "tensorflow":
            bins = self.default_bins
        self._get_file_writer().add_summary(S.histogram(tag, values, bins, max_bins=max_bins),
                                            global_step, walltime)

    def add_histogram_raw(self, tag, min, max, num, sum, sum_squares, bucket_limits,
                          bucket_counts, global_step=None, walltime=None):
        """Log a histogram from precomputed statistics."""
        if len(bucket_limits) != len(bucket_counts):
            raise ValueError("len(bucket_limits) != len(bucket_counts), see the document.")
        summary = S.histogram_raw(tag, min, max, num, sum, sum_squares, bucket_limits,
                                  bucket_counts)
        self._get_file_writer().add_summary(summary, global_step, walltime)

    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats="CHW"):
        """Log one image (float in [0, 1] or uint8 in [0, 255])."""
        self._get_file_writer().add_summary(S.image(tag, img_tensor, dataformats=dataformats),
                                            global_step, walltime)

    def add_images(self, tag, img_tensor, global_step=None, walltime=None,
                   dataformats="NCHW"):
        """Log a batch of images as one grid image."""
        self._get_file_writer().add_summary(S.image(tag, img_tensor, dataformats=dataformats),
                                            global_step, walltime)

    def add_figure(self, tag, figure, global_step=None, close=True, walltime=None):
        """Log a matplotlib figure (or a list of them, as a grid) as an image."""
        if isinstance(figure, list):
            import numpy as np
            img = np.stack([S.figure_to_chw(f, close) for f in figure])
            self.add_image(tag, img, global_step, walltime, dataformats="NCHW")
        else:
            self.add_image(tag, S.figure_to_chw(figure, close), global_step, walltime,
                           dataformats="CHW")

    def add_video(self, tag, vid_tensor, global_step=None, fps=4, walltime=None):
        """Log a (N, T, C, H, W) video batch as an animated GIF (needs moviepy)."""
        self._get_file_writer().add_summary(S.video(tag, vid_tensor, fps), global_step,
                                            walltime)

    def add_audio(self, tag, snd_tensor, global_step=None, sample_rate=44100, walltime=None):
        """Log a mono waveform in [-1, 1]."""
        self._get_file_writer().add_summary(S.audio(tag, snd_tensor, sample_rate=sample_rate),
                                            global_step, walltime)

    def add_text(self, tag, text_string, global_step=None, walltime=None):
        """Log a (markdown) string."""
        self._get_file_writer().add_summary(S.text(tag, text_string), global_step, walltime)

    def add_onnx_graph(self, prototxt):
        """torch.utils.tensorboard's ONNX graph import: not available in torchlike."""
        raise NotImplementedError("SummaryWriter.add_onnx_graph is not supported by torchlike "
                                  "(it has no ONNX export); use add_graph(model, inputs)")

    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        """Log the module structure of `model` as traced by running it on `input_to_model`."""
        from ._graph import module_graph
        self._get_file_writer().add_graph(module_graph(model, input_to_model, verbose))

    def add_embedding(self, mat, metadata=None, label_img=None, global_step=None,
                      tag="default", metadata_header=None):
        """Write a 2-D matrix (and labels / thumbnails) for TensorBoard's projector."""
        from ._embedding import add_embedding
        add_embedding(self, S.to_numpy(mat), metadata, label_img, global_step, tag,
                      metadata_header)

    def add_pr_curve(self, tag, labels, predictions, global_step=None, num_thresholds=127,
                     weights=None, walltime=None):
        """Log a precision-recall curve of binary `labels` against `predictions` in [0, 1]."""
        summary = S.pr_curve(tag, S.to_numpy(labels), S.to_numpy(predictions), num_thresholds,
                             weights)
        self._get_file_writer().add_summary(summary, global_step, walltime)

    def add_pr_curve_raw(self, tag, true_positive_counts, false_positive_counts,
                         true_negative_counts, false_negative_counts, precision, recall,
                         global_step=None, num_thresholds=127, weights=None, walltime=None):
        """Log a precision-recall curve from precomputed counts."""
        summary = S.pr_curve_raw(tag, true_positive_counts, false_positive_counts,
                                 true_negative_counts, false_negative_counts, precision, recall,
                                 num_thresholds)
        self._get_file_writer().add_summary(summary, global_step, walltime)

    def add_custom_scalars_multilinechart(self, tags, category="default", title="untitled"):
        """Custom-scalars layout: one chart with several scalar tags."""
        self.add_custom_scalars({category: {title: ["Multiline", tags]}})

    def add_custom_scalars_marginchart(self, tags, category="default", title="untitled"):
        """Custom-scalars layout: a value with lower and upper margin tags."""
        if len(tags) != 3:
            raise AssertionError(f"Expected 3 tags, got {len(tags)}.")
        self.add_custom_scalars({category: {title: ["Margin", tags]}})

    def add_custom_scalars(self, layout):
        """Custom-scalars layout: {category: {title: [kind, tags]}}."""
        self._get_file_writer().add_summary(S.custom_scalars(layout))

    def add_mesh(self, tag, vertices, colors=None, faces=None, config_dict=None,
                 global_step=None, walltime=None):
        """Log a 3-D mesh or point cloud."""
        self._get_file_writer().add_summary(S.mesh(tag, vertices, colors, faces, config_dict),
                                            global_step, walltime)

    def flush(self):
        """Write every pending event to disk."""
        if self.all_writers is None:
            return
        for w in self.all_writers.values():
            w.flush()

    def close(self):
        """Flush and close every event file; a second close is a no-op."""
        if self.all_writers is None:
            return
        for w in self.all_writers.values():
            w.flush()
            w.close()
        self.file_writer = self.all_writers = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.close()
