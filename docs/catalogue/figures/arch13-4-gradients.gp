# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Gradient reaching each layer of a 12-layer stack at initialisation' noenhanced
set xlabel 'layer l' noenhanced
set ylabel '||dL/dx_l||' noenhanced
set logscale y
set grid
set key inside bottom right opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
1 6.847914811
2 5.191007503
3 4.150912917
4 3.420763302
5 3.127708717
6 3.061216522
7 3.068989346
8 3.052523293
9 2.883521973
10 2.8654655
11 2.825527011
12 2.784309937
EOD
$s1 << EOD
1 2.66716819
2 2.66716819
3 2.66716819
4 2.66716819
5 2.66716819
6 2.66716819
7 2.66716819
8 2.66716819
9 2.667168189
10 2.667168189
11 2.667168189
12 2.667168188
EOD
$s2 << EOD
1 1.799162416
2 2.188464485
3 1.492758804
4 1.404633619
5 1.853653043
6 1.729181256
7 2.641054064
8 3.586298217
9 4.711543742
10 4.585434055
11 5.065990902
12 7.808780208
EOD
$s3 << EOD
1 0.03386796256
2 0.05373254616
3 0.07262153484
4 0.1058305099
5 0.1863849198
6 0.2678105886
7 0.5846996847
8 1.162326206
9 1.76022445
10 2.454638396
11 3.341682577
12 6.068397022
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'pre-LN, all paths', \
    $s1 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'pre-LN, skip path only', \
    $s2 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'post-LN, all paths', \
    $s3 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'post-LN, skip path only'
