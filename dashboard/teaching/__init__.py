"""What the teaching pages compute: the stepper's steps, planted bugs, the lottery."""
