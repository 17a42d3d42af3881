"""Locust users for the sentiment service (module 06): each posts a review to /predict,
checks the answer, and sends the next one as soon as it has it.

    locust -f src/launchpad/locustfiles/sentiment.py --headless --users 8 --spawn-rate 8 \
        --run-time 20s --host http://127.0.0.1:8000 --csv results/sentiment --only-summary
"""

import itertools

from locust import FastHttpUser, constant, task

from launchpad.playground import TEXTS  # the same reviews as the course's load generator

reviews = itertools.cycle(TEXTS)  # shared by every user: each request sends the next one


class Reviewer(FastHttpUser):
    # No think time: a closed loop, like `launchpad.loadtest.load`, so that the two tools put
    # the same load on the service. Users that model people would wait: between(1, 5).
    wait_time = constant(0)

    @task
    def predict(self):
        with self.client.post(
            "/predict", json={"text": next(reviews)}, catch_response=True
        ) as response:
            # Locust already counts 4xx and 5xx as failures; a 200 must also carry a label.
            if response.status_code == 200 and "label" not in response.text:
                response.failure("a 200 without a prediction")
