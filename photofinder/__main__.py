from .cli import main

if __name__ == "__main__":  # not when a worker process imports it (face_pass's workers)
    raise SystemExit(main())
