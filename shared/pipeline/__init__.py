"""The event pipeline: messages, the task graph, routing and the use cases around a job."""
