# multiprocessing: a Pool of 2 workers squares numbers (fork, pipes, pickling, semaphores).
import multiprocessing

def square(x):
    return x * x

if __name__ == "__main__":
    with multiprocessing.Pool(2) as pool:
        print(sum(pool.map(square, range(20000), chunksize=500)))
